/**
 * Runs commands as the end-to-end tests need them: in a real terminal (a fresh pseudo-terminal from
 * util-linux `script`, so the program sees a TTY as it would in a person's shell) or as a plain
 * process with no terminal, as a CI job or an editor runs it. Suites that use {@link inTerminal}
 * declare `command('script', 'apt-get install util-linux')` through `requires` (./requires.ts).
 */
import { spawn } from 'node:child_process';

/** What a command did: its exit code and what it wrote. */
export interface TerminalRun {
  readonly code: number;
  /** Everything the terminal showed (stdout and stderr merged, as a terminal merges them), LF line ends. */
  readonly output: string;
}

/** What a process run without a terminal did. */
export interface ProcessRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Where and with which environment a command runs. */
export interface RunOptions {
  readonly cwd: string;
  /** The whole environment (nothing of the test's own is passed unless listed). */
  readonly env: NodeJS.ProcessEnv;
}

/** `word` as one POSIX shell word. */
export function shellWord(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A shell function `tessera` that runs the command's entry `bin` with this Node; put it before a command line. */
export function tesseraShellFunction(bin: string): string {
  return `tessera() { ${shellWord(process.execPath)} ${shellWord(bin)} "$@"; }; `;
}

/** Runs a shell command line (`sh -c`) in a fresh pseudo-terminal and waits for it to end. */
export function inTerminal(commandLine: string, options: RunOptions): Promise<TerminalRun> {
  return new Promise((done, fail) => {
    const child = spawn('script', ['-q', '-e', '-c', `sh -c ${shellWord(commandLine)}`, '/dev/null'], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    // The terminal writes CRLF.
    child.on('close', (code) => done({ code: code ?? -1, output: output.replace(/\r\n/g, '\n') }));
  });
}

/** Runs `file args` without a terminal (stdin closed) and waits for it to end. */
export function withoutTerminal(file: string, args: readonly string[], options: RunOptions): Promise<ProcessRun> {
  return new Promise((done, fail) => {
    const child = spawn(file, [...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}
