"""The sandbox: everything that touches submitted code or files runs inside one.

One mechanism per module, each named after what it does:

- ``policy``: what a sandboxed process may see (a whitelisted file system), its environment, and
  the bubblewrap command line that enforces it;
- ``limits``: memory and process counts in a cgroup, CPU time and file sizes as rlimits;
- ``launch``: the launcher that applies both, starts the command and watches what it writes;
- ``process``: the host's view of one sandbox (its command, its outcome in words, its cleanup);
- ``forkserver`` and ``worker``: a warm worker inside a sandbox that forks a fresh child per job,
  and the host's client for it.

Where bubblewrap cannot run, limits, the scrubbed environment and every report still apply, and
reports say "graded without sandbox". See docs/security.md.
"""

from tfcourse.sandbox.limits import KERNEL_LIMITS, WORKER_LIMITS, Limits
from tfcourse.sandbox.policy import SandboxPolicy, bubblewrap_problem
from tfcourse.sandbox.process import UNSANDBOXED, Sandbox, SandboxOutcome

__all__ = ["KERNEL_LIMITS", "Limits", "Sandbox", "SandboxOutcome", "SandboxPolicy", "UNSANDBOXED", "WORKER_LIMITS",
           "bubblewrap_problem"]
