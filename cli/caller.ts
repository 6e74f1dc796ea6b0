/**
 * What the `tessera` command reports about its caller: the program that ran it, that program's
 * parent, the controlling terminal, the terminal session and the working folder.
 *
 * Read from `/proc` on Linux (the caller cannot be asked); elsewhere only the terminal and the
 * folder are known. It is a report, not proof — the app shows it as "reported by the caller".
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { BridgeIntegration as Integration, CallerReport } from '../preload/contract';

export type { CallerReport };

interface ProcStat {
  readonly comm: string;
  readonly ppid: number;
  readonly session: number;
  readonly ttyNr: number;
}

/** Parses `/proc/<pid>/stat` (the command name may hold spaces and parentheses). */
function readStat(pid: number | 'self'): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const open = text.indexOf('(');
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    return { comm: text.slice(open + 1, close), ppid: Number(fields[1]), session: Number(fields[3]), ttyNr: Number(fields[4]) };
  } catch {
    return undefined;
  }
}

function readCommand(pid: number): string | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const words = raw.split('\0').filter(Boolean);
    if (words.length === 0) return undefined;
    const text = words.join(' ');
    return text.length > 200 ? `${text.slice(0, 199)}…` : text;
  } catch {
    return undefined;
  }
}

/** `/dev/pts/N` for a pseudo-terminal device number (Linux majors 136–143), else a neutral name. */
function ttyName(ttyNr: number): string {
  const major = (ttyNr >> 8) & 0xfff;
  const minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return `/dev/pts/${(major - 136) * 256 + minor}`;
  if (major === 4) return `/dev/tty${minor}`;
  return `tty ${major}:${minor}`;
}

// Control characters would let a program name rewrite the prompt; the app refuses them.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/g;

function clean(text: string, max: number): string {
  const cleaned = text.replace(CONTROL, '?');
  return cleaned.length > max ? cleaned.slice(0, max) : cleaned;
}

/** Gathers the report for this process's caller. */
export function describeCaller(integration: Integration, programOverride?: string): CallerReport {
  let cwd: string | undefined;
  try {
    cwd = clean(process.cwd(), 1024);
  } catch {
    cwd = undefined;
  }
  const self = process.platform === 'linux' ? readStat('self') : undefined;
  if (!self) {
    // No /proc: the terminal is known only as "stdin or stderr is one", per parent process.
    const interactive = process.stdin.isTTY || process.stderr.isTTY;
    return {
      program: clean(programOverride ?? 'unknown program', 128),
      pid: process.ppid,
      ...(interactive ? { tty: 'terminal', terminalSession: String(process.ppid) } : {}),
      ...(cwd ? { cwd } : {}),
      integration,
    };
  }
  const parent = readStat(self.ppid);
  const grandparent = parent ? readStat(parent.ppid) : undefined;
  const command = readCommand(self.ppid);
  const program = programOverride ?? (command ? basename(command.split(' ')[0] ?? '') : undefined) ?? parent?.comm ?? 'unknown program';
  return {
    program: clean(program || parent?.comm || 'unknown program', 128),
    ...(command ? { command: clean(command, 512) } : {}),
    pid: self.ppid,
    ...(grandparent ? { parentProgram: clean(grandparent.comm, 128) } : {}),
    ...(self.ttyNr !== 0 ? { tty: ttyName(self.ttyNr), terminalSession: String(self.session) } : {}),
    ...(cwd ? { cwd } : {}),
    integration,
  };
}
