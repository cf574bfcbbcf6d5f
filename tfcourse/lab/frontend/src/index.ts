/**
 * tfcourse in JupyterLab: "Check" and "Submit" on every notebook's toolbar and in the command palette,
 * "My progress" in the palette (`tfcourse progress`: its table, then its chart opened), and a mock exam's
 * time left in the status bar.
 *
 * Both buttons are thin over the command line: the notebook is saved, then the server extension
 * (tfcourse/lab/handlers.py) runs `tfcourse check` or `tfcourse submit` on it (on an exam task's
 * notebook, `tfcourse exam check N`) and this shows what the command printed. Nothing here decides points.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, ICommandPalette, InputDialog, showDialog } from '@jupyterlab/apputils';
import { URLExt } from '@jupyterlab/coreutils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ToolbarButton } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

const CHECK = 'tfcourse:check';
const SUBMIT = 'tfcourse:submit';
const PROGRESS = 'tfcourse:progress';
const STUDENT_KEY = 'tfcourse:student';
// An exam task's notebook: `tfcourse exam start` writes task<N>_<skill>/solution.ipynb.
const EXAM_NOTEBOOK = /(^|\/)task\d+_[^/]+\/solution\.ipynb$/;
const CLOCK_REFRESH_MS = 30_000; // the record is asked again this often; the clock counts down in between

interface RunReply {
  ok: boolean;
  command: string;
  output: string;
}

/** POST `body` to the server extension's `route`; a refused request reads as a failed `command`. */
async function postToServer<Reply extends RunReply>(route: string, body: object, command: string): Promise<Reply> {
  const settings = ServerConnection.makeSettings();
  const response = await ServerConnection.makeRequest(
    URLExt.join(settings.baseUrl, 'tfcourse', route),
    { method: 'POST', body: JSON.stringify(body) },
    settings
  );
  const reply = await response.json();
  if (!response.ok) {
    return { ok: false, command, output: reply.message || response.statusText } as Reply;
  }
  return reply as Reply;
}

/** Ask the server extension to run `tfcourse <action>` on the notebook at `path`. */
function runTfcourse(action: 'check' | 'submit', path: string, student?: string): Promise<RunReply> {
  return postToServer('run', { action, path, student }, `tfcourse ${action}`);
}

// The lines of `tfcourse check/submit` a learner needs first: the verdict and where the zip went.
const VERDICT = /^\s*(Ready to submit|Not ready to submit|Submission written to|Submission refused|Task \d+: |tfcourse \w+:|Skills checklist:)/;

/** The command's verdict on top, then its whole output, as the terminal would have shown it. */
function outputBody(reply: RunReply, table: boolean): Widget {
  const body = document.createElement('div');
  body.className = table ? 'tfcourse-output tfcourse-table' : 'tfcourse-output';
  const verdict = document.createElement('p');
  verdict.className = 'tfcourse-verdict';
  verdict.textContent = reply.output.split('\n').filter(line => VERDICT.test(line)).map(line => line.trim()).join(' ');
  const command = document.createElement('code');
  command.textContent = `$ ${reply.command}`;
  const output = document.createElement('pre');
  output.textContent = reply.output;
  body.append(verdict, command, output);
  return new Widget({ node: body });
}

/** The command's output in a dialog; `table`: it prints a table, which scrolls sideways instead of wrapping. */
async function showReply(title: string, reply: RunReply, table = false): Promise<void> {
  await showDialog({
    title: `${title}: ${reply.ok ? 'done' : 'not yet'}`,
    body: outputBody(reply, table),
    buttons: [Dialog.okButton({ label: 'Close' })]
  });
}

async function check(panel: NotebookPanel): Promise<void> {
  await panel.context.save();
  const title = EXAM_NOTEBOOK.test(panel.context.path) ? 'Exam check' : 'Self-check';
  await showReply(title, await runTfcourse('check', panel.context.path));
}

interface ProgressReply extends RunReply {
  chart: string;
}

/** Run `tfcourse progress` on the server, show its table, then open (or reload) the chart it wrote. */
async function progress(app: JupyterFrontEnd): Promise<void> {
  const reply = await postToServer<ProgressReply>('progress', {}, 'tfcourse progress');
  if (reply.ok) {
    const chart: any = await app.commands.execute('docmanager:open', { path: reply.chart });
    await chart?.context?.revert(); // an already open chart shows the new one
  }
  await showReply('My progress', reply, true);
}

interface ExamClockReply {
  attempt: string | null;
  seconds_left?: number;
}

/** "1:02:03" */
function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const [hours, minutes, rest] = [Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60];
  return `${hours}:${String(minutes).padStart(2, '0')}:${String(rest).padStart(2, '0')}`;
}

/**
 * The exam's time left, shown while an exam task's notebook is the current one. The deadline comes from the
 * attempt's signed record (through the server extension), asked again every CLOCK_REFRESH_MS.
 */
class ExamClock extends Widget {
  private deadline: number | null = null;
  private path: string | null = null;

  constructor() {
    super();
    this.addClass('tfcourse-exam-clock');
    this.node.title = 'tfcourse exam: time left in this attempt';
    window.setInterval(() => this.render(), 1000);
    window.setInterval(() => void this.refresh(), CLOCK_REFRESH_MS);
    this.render();
  }

  /** Follow the current notebook: an exam task's shows the clock, any other hides it. */
  follow(path: string | null): void {
    this.path = path !== null && EXAM_NOTEBOOK.test(path) ? path : null;
    this.deadline = null;
    void this.refresh();
  }

  private async refresh(): Promise<void> {
    const asked = this.path;
    if (asked === null) {
      this.render();
      return;
    }
    const settings = ServerConnection.makeSettings();
    const url = URLExt.join(settings.baseUrl, 'tfcourse', 'exam') + URLExt.objectToQueryString({ path: asked });
    const response = await ServerConnection.makeRequest(url, {}, settings);
    const reply: ExamClockReply = response.ok ? await response.json() : { attempt: null };
    if (asked === this.path) {
      this.deadline = reply.attempt === null ? null : Date.now() + (reply.seconds_left ?? 0) * 1000;
      this.render();
    }
  }

  private render(): void {
    if (this.deadline === null) {
      this.node.textContent = '';
      this.node.style.display = 'none';
      return;
    }
    const left = (this.deadline - Date.now()) / 1000;
    this.node.style.display = '';
    this.node.textContent = left > 0 ? `Exam: ${formatDuration(left)} left` : 'Exam: time is up';
    this.toggleClass('tfcourse-exam-over', left <= 0);
  }
}

async function submit(panel: NotebookPanel): Promise<void> {
  const answer = await InputDialog.getText({
    title: 'Submit: your student id',
    label: 'Letters, digits, "." and "-"; the zip is named after it.',
    text: window.localStorage.getItem(STUDENT_KEY) ?? ''
  });
  if (!answer.button.accept || !answer.value) {
    return;
  }
  window.localStorage.setItem(STUDENT_KEY, answer.value);
  await panel.context.save();
  await showReply('Submission', await runTfcourse('submit', panel.context.path, answer.value));
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'tfcourse-lab:plugin',
  description: 'Check and Submit buttons for tfcourse assignments.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette, IStatusBar],
  activate: (app: JupyterFrontEnd, notebooks: INotebookTracker, palette: ICommandPalette | null,
             statusBar: IStatusBar | null) => {
    const current = () => notebooks.currentWidget;
    app.commands.addCommand(CHECK, {
      label: 'tfcourse: Check this assignment',
      caption: 'Save, then run `tfcourse check` on this notebook and its saved model',
      isEnabled: () => current() !== null,
      execute: () => (current() ? check(current()!) : undefined)
    });
    app.commands.addCommand(SUBMIT, {
      label: 'tfcourse: Submit this assignment',
      caption: 'Save, then run `tfcourse submit`: check, and pack the notebook and model into a zip',
      isEnabled: () => current() !== null,
      execute: () => (current() ? submit(current()!) : undefined)
    });
    app.commands.addCommand(PROGRESS, {
      label: 'tfcourse: My progress',
      caption: 'Run `tfcourse progress`: the skills checklist with your labs, self-checks, submissions and feedback',
      execute: () => progress(app)
    });
    palette?.addItem({ command: CHECK, category: 'tfcourse' });
    palette?.addItem({ command: SUBMIT, category: 'tfcourse' });
    palette?.addItem({ command: PROGRESS, category: 'tfcourse' });

    if (statusBar) {
      const clock = new ExamClock();
      statusBar.registerStatusItem('tfcourse-lab:exam-clock', { item: clock, align: 'left', rank: 1000 });
      notebooks.currentChanged.connect((_, panel) => clock.follow(panel ? panel.context.path : null));
      clock.follow(current()?.context.path ?? null);
    }

    notebooks.widgetAdded.connect((_, panel) => {
      const buttons: [string, string, (panel: NotebookPanel) => Promise<void>][] = EXAM_NOTEBOOK.test(panel.context.path)
        ? [['Check', 'tfcourse exam check: score this task\'s model.keras on the hidden data, 0 to 5', check]]
        : [
            ['Check', 'tfcourse check: the self-check the grader would run, on validation data', check],
            ['Submit', 'tfcourse submit: check, then pack a submission zip', submit]
          ];
      let after = 'cellType';
      buttons.forEach(([label, tooltip, action]) => {
        const button = new ToolbarButton({ label, tooltip, className: 'tfcourse-button', onClick: () => void action(panel) });
        const name = `tfcourse-${label.toLowerCase()}`;
        panel.toolbar.insertAfter(after, name, button);
        after = name;
      });
    });
  }
};

export default plugin;
