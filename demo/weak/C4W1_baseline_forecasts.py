# Weak solution used by the demo and the discrimination tests: one section per solution cell,
# headed "# %% <grade_id>". Plausible learner code with two slips: the moving average keeps the
# last window too (np.convolve's "valid" mode), and the differenced forecast forgets to add the
# values one period back.

# %% moving_average_forecast
def moving_average_forecast(series, window_size):
    return np.convolve(series, np.ones(window_size) / window_size, mode="valid")


# %% differenced_forecast
def differenced_forecast(series, split_time, period, window_size):
    differenced = series[period:] - series[:-period]
    averages = np.array([differenced[t:t + window_size].mean() for t in range(len(differenced) - window_size)])
    return averages[split_time - period - window_size:]
