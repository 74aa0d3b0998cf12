// The Slurm half of the Marathon scale-up comparison (issue 4): the same N `sleep` tasks submitted to a private
// single-node Slurm cluster on loopback (scripts/slurm.sh), timed until Slurm reports them all RUNNING and until
// every `sleep` process actually exists (Slurm marks a job RUNNING when it allocates it, before slurmd has started
// its script; Trireme's TASK_RUNNING comes after the process is spawned, so the second figure is the like-for-like one).
//
// Why a job array: `sbatch --array=0-(N-1)` is one submission of N identical, independently scheduled tasks, which is
// what one Marathon app with N instances is. N separate `sbatch` calls would time the CLI instead of the scheduler.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO, tempDir } from '../test/helpers/processes.ts';

const run = promisify(execFile);

export interface SlurmScaleResult {
  /** sbatch → squeue shows every array task RUNNING. */
  allRunningMs: number;
  /** sbatch → every task's `sleep` process exists on the machine. */
  allProcessesMs: number;
  /** scancel → every slurmstepd gone (not a target; reported so the cost of the clean-up is visible). */
  cancelMs: number;
  /** Summed RSS of slurmstepd processes with every task running. */
  stepdRssMb: number;
}

/** Processes named `sleep` that belong to the given Slurm array job (read from their environment). */
function sleepsOf(jobId: string): number {
  let count = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'sleep') continue;
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`SLURM_ARRAY_JOB_ID=${jobId}`)) count++;
    } catch { /* the process exited while we looked */ }
  }
  return count;
}

function stepdStats(): { count: number; rssKb: number } {
  let count = 0, rssKb = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'slurmstepd') continue;
      count++;
      const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
      rssKb += Number(line?.split(/\s+/)[1] ?? 0);
    } catch { /* exited */ }
  }
  return { count, rssKb };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function slurmScale(tasks: number): Promise<SlurmScaleResult> {
  const dir = tempDir('trireme-slurm-');
  const script = join(REPO, 'scripts', 'slurm.sh');
  const env = { ...process.env, SLURM_CONF: join(dir.path, 'slurm.conf'), SLURM_NODE_CPUS: String(Math.max(tasks, 2)) };
  try {
    await run(script, ['start', dir.path], { env });
    // Warm-up, as the Marathon side creates its app with 0 instances first: slurmctld holds scheduling for a few
    // seconds after it starts, which would otherwise be counted in the first submission.
    const warm = (await run('sbatch', ['--parsable', '--output=/dev/null', '--wrap', 'true'], { env })).stdout.trim();
    for (const deadline = Date.now() + 60_000; (await run('squeue', ['-h', '-j', warm, '-o', '%i'], { env })).stdout.trim() !== '';) {
      if (Date.now() > deadline) throw new Error('the Slurm warm-up job did not finish in 60 s');
      await sleep(100);
    }
    const t0 = performance.now();
    const submitted = await run('sbatch', ['--parsable', `--array=0-${tasks - 1}`, '--output=/dev/null', '--job-name=trireme-bench', '--wrap', 'exec sleep 600'], { env });
    const jobId = submitted.stdout.trim().split(';')[0]!;
    let allRunningMs = NaN, allProcessesMs = NaN;
    const deadline = Date.now() + 300_000;
    while (Number.isNaN(allRunningMs) || Number.isNaN(allProcessesMs)) {
      if (Date.now() > deadline) throw new Error(`Slurm did not start ${tasks} tasks in 300 s`);
      if (Number.isNaN(allRunningMs)) {
        const q = await run('squeue', ['-h', '-r', '-j', jobId, '-t', 'RUNNING', '-o', '%i'], { env, maxBuffer: 16 << 20 });
        if (q.stdout.split('\n').filter(Boolean).length >= tasks) allRunningMs = performance.now() - t0;
      }
      if (Number.isNaN(allProcessesMs) && sleepsOf(jobId) >= tasks) allProcessesMs = performance.now() - t0;
      await sleep(50);
    }
    const stepdRssMb = Math.round(stepdStats().rssKb / 1024);
    const c0 = performance.now();
    await run('scancel', [jobId], { env });
    while (stepdStats().count > 0) {
      if (performance.now() - c0 > 300_000) throw new Error('slurmstepd processes still running 300 s after scancel');
      await sleep(200);
    }
    return { allRunningMs, allProcessesMs, cancelMs: performance.now() - c0, stepdRssMb };
  } finally {
    await run(script, ['stop', dir.path], { env }).catch((err: unknown) => process.stderr.write(`slurm.sh stop: ${String(err)}\n`));
    dir.remove();
  }
}
