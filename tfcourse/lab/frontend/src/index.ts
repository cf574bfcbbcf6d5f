/**
 * tfcourse in JupyterLab: "Check" and "Submit" on every notebook's toolbar and in the command palette.
 *
 * Both are thin over the command line: the notebook is saved, then the server extension
 * (tfcourse/lab/handlers.py) runs `tfcourse check` or `tfcourse submit` on it and this shows what the
 * command printed. Nothing here decides points.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, ICommandPalette, InputDialog, showDialog } from '@jupyterlab/apputils';
import { URLExt } from '@jupyterlab/coreutils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';
import { ToolbarButton } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

const CHECK = 'tfcourse:check';
const SUBMIT = 'tfcourse:submit';
const STUDENT_KEY = 'tfcourse:student';

interface RunReply {
  ok: boolean;
  command: string;
  output: string;
}

/** Ask the server extension to run `tfcourse <action>` on the notebook at `path`. */
async function runTfcourse(action: 'check' | 'submit', path: string, student?: string): Promise<RunReply> {
  const settings = ServerConnection.makeSettings();
  const response = await ServerConnection.makeRequest(
    URLExt.join(settings.baseUrl, 'tfcourse', 'run'),
    { method: 'POST', body: JSON.stringify({ action, path, student }) },
    settings
  );
  const reply = await response.json();
  if (!response.ok) {
    return { ok: false, command: `tfcourse ${action}`, output: reply.message || response.statusText };
  }
  return reply as RunReply;
}

// The lines of `tfcourse check/submit` a learner needs first: the verdict and where the zip went.
const VERDICT = /^\s*(Ready to submit|Not ready to submit|Submission written to|Submission refused|tfcourse \w+:)/;

/** The command's verdict on top, then its whole output, as the terminal would have shown it. */
function outputBody(reply: RunReply): Widget {
  const body = document.createElement('div');
  body.className = 'tfcourse-output';
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

async function showReply(title: string, reply: RunReply): Promise<void> {
  await showDialog({
    title: `${title}: ${reply.ok ? 'done' : 'not yet'}`,
    body: outputBody(reply),
    buttons: [Dialog.okButton({ label: 'Close' })]
  });
}

async function check(panel: NotebookPanel): Promise<void> {
  await panel.context.save();
  await showReply('Self-check', await runTfcourse('check', panel.context.path));
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
  optional: [ICommandPalette],
  activate: (app: JupyterFrontEnd, notebooks: INotebookTracker, palette: ICommandPalette | null) => {
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
    palette?.addItem({ command: CHECK, category: 'tfcourse' });
    palette?.addItem({ command: SUBMIT, category: 'tfcourse' });

    notebooks.widgetAdded.connect((_, panel) => {
      const buttons: [string, string, (panel: NotebookPanel) => Promise<void>][] = [
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
