// Runs every test file under test/ with node's built-in runner (TypeScript through tsx).
// Usage: npm test [-- <substring filter on file paths>]
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = findTests('test').filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// The web consoles' tests load dist/ui: build it from the current sources first (a second or two).
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.error('npm run build failed: the web consoles could not be built');
  process.exit(1);
}
const concurrency = process.env.TRIREME_TEST_CONCURRENCY ?? '2';
// Docker tests share one private dockerd per run (test/helpers/docker.ts starts it on first use); it is stopped
// and its directory removed when the run ends, unless the caller chose the directory (then it is theirs to keep).
const ownDockerDir = !process.env.TRIREME_DOCKER_DIR;
const dockerDir = process.env.TRIREME_DOCKER_DIR ?? mkdtempSync('/tmp/trd-');
function stopDocker() {
  if (!ownDockerDir) return;
  if (existsSync(join(dockerDir, 'docker.pid'))) spawnSync('scripts/docker.sh', ['stop', dockerDir], { stdio: 'inherit' });
  try { rmSync(dockerDir, { recursive: true, force: true }); } catch (err) { console.error(`could not remove ${dockerDir}: ${err.message}`); }
}
const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', '--test-timeout=300000', ...files], {
  stdio: 'inherit', env: { ...process.env, TRIREME_DOCKER_DIR: dockerDir },
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => { stopDocker(); process.exit(code ?? (signal ? 1 : 0)); });
