/**
 * The native `tessera` client (cli/native) against the Node client, side by side: for the same
 * command line and the same answers from the app, both send the same request line and print the
 * same output, errors and exit codes. What the native client does not answer itself it hands to
 * the Node client, byte for byte the Node client's output.
 *
 * The app's side is a recording peer on a real Unix socket in a private folder: it keeps each
 * request line and answers with the lines a case gives it (what the real app sends is proven in
 * test/bridge/cli.e2e.test.ts, which runs every case with both clients against the real host).
 */
import { chmodSync, chownSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, EXIT_FOR_ERROR_CODE } from '../../cli/exit-codes';
import { ensureNativeClient, goInstalled } from '../support/native-client';
import { command, requires, root } from '../support/requires';
import { useTempDirs } from '../support/temp-dirs';
import { inTerminal, shellWord as q, withoutTerminal, type ProcessRun } from '../support/terminal';

const ROOT = resolve(import.meta.dirname, '..', '..');
const NODE_BIN = join(ROOT, 'cli', 'tessera.cjs');
const tempDir = useTempDirs('native');

type Run = ProcessRun;

function runProcess(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return withoutTerminal(file, args, { cwd: ROOT, env });
}

/** What a case's peer answers to one request line: lines to send, then hang up. */
type Reply = (request: Record<string, unknown>) => readonly string[];

/** The app's side of the socket, recording each request line. */
class RecordingPeer {
  readonly requests: Record<string, unknown>[] = [];
  reply: Reply = () => [];
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(path: string): Promise<RecordingPeer> {
    const server = createServer();
    const peer = new RecordingPeer(server);
    server.on('connection', (socket: Socket) => peer.#serve(socket));
    await new Promise<void>((done) => server.listen(path, done));
    chmodSync(path, 0o600);
    return peer;
  }

  #serve(socket: Socket): void {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline === -1) return;
      const request = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
      this.requests.push(request);
      for (const line of this.reply(request)) socket.write(line);
      socket.end();
    });
  }

  close(): Promise<void> {
    return new Promise((done) => this.#server.close(() => done()));
  }
}

const ACCESS_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
const ID_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJub25jZSI6Im4ifQ.aWQtdG9rZW4tc2lnbmF0dXJl';
const TOKEN_VALUE = {
  accessToken: ACCESS_TOKEN,
  tokenType: 'Bearer',
  expiresOn: 1_893_456_000,
  scopes: ['api://demo/read', 'openid'],
  // Characters JSON encoders treat differently (HTML escaping, non-ASCII) must print as JSON.stringify prints them.
  account: { id: 'uid.utid', username: 'zoë&<ops>@contoso.com', profileName: 'Demo "provider"', tenant: 'tenant-a' },
  idToken: ID_TOKEN,
};
const answer = (value: unknown): string => `${JSON.stringify({ id: 1, ok: true, value })}\n`;
const failure = (code: string, message: string): string => `${JSON.stringify({ id: 1, ok: false, error: { code, message } })}\n`;

requires(goInstalled()).describe('the native tessera client answers as the Node client does', () => {
  let native: string;
  let runtimeDir: string;
  let peer: RecordingPeer;
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, XDG_RUNTIME_DIR: runtimeDir, ...extra });

  /** Runs both clients with the same arguments; resolves with both runs and both request lines. */
  async function both(args: readonly string[], extra: NodeJS.ProcessEnv = {}): Promise<{ node: Run; native: Run; requests: Record<string, unknown>[] }> {
    const before = peer.requests.length;
    const nodeRun = await runProcess(process.execPath, [NODE_BIN, ...args], env(extra));
    const nativeRun = await runProcess(native, args, env(extra));
    return { node: nodeRun, native: nativeRun, requests: peer.requests.slice(before) };
  }

  beforeAll(async () => {
    native = await ensureNativeClient();
    runtimeDir = tempDir();
    mkdirSync(join(runtimeDir, 'tessera'), { mode: 0o700 });
    peer = await RecordingPeer.start(join(runtimeDir, 'tessera', 'bridge.sock'));
    // The Node client's bundle, built before the first comparison.
    expect((await runProcess(process.execPath, [NODE_BIN, '--version'], env())).code).toBe(0);
  }, 120_000);

  afterAll(() => peer?.close());

  const COMMAND_LINES: readonly (readonly string[])[] = [
    ['token'],
    ['token', 'alice@contoso.com'],
    ['token', 'demo:alice@contoso.com', '--scope', 'api://demo/read openid', '-s', 'profile'],
    ['token', '--resource', 'https://management.azure.com', '--min-valid', '0'],
    ['token', '--resource=https://management.core.windows.net/'],
    ['token', '--resource', 'api://6dae42f8-4368-4678-94ff-3960e28e3630'],
    ['token', '--resource', 'urn:ms-drs:enterpriseregistration.windows.net'],
    ['token', '--resource', 'http://localhost:8080/api?x=1#y'],
    ['token', '--min-valid=600', '--force-refresh', '--id-token'],
    ['token', '--interactive', '--program', 'ci-job', '--format', 'header'],
    ['token', '--format=json'],
    ['token', '--format', 'json', '--id-token'],
    ['token', '-f', 'env', '--env', 'API_TOKEN'],
    ['token', '--time', '30', '--format', 'env'],
    ['token', '--id-token'],
  ];

  it.each(COMMAND_LINES.map((args) => [args.join(' '), args] as const))('"tessera %s": the same request line, output and exit code', async (_, args) => {
    peer.reply = () => [answer(TOKEN_VALUE)];
    const { node, native: fast, requests } = await both(args);
    expect(node.code).toBe(0);
    expect(requests).toHaveLength(2);
    expect(requests[1]).toEqual(requests[0]);
    expect(fast).toEqual(node);
  });

  it('is gofmt-formatted and passes go vet (the Go side of lint)', async () => {
    const dir = join(ROOT, 'cli', 'native');
    const gofmt = await withoutTerminal('gofmt', ['-l', '.'], { cwd: dir, env: process.env });
    expect(gofmt).toEqual({ code: 0, stdout: '', stderr: '' });
    const vet = await withoutTerminal('go', ['vet', '.'], { cwd: dir, env: { ...process.env, CGO_ENABLED: '0' } });
    expect(vet.stderr).toBe('');
    expect(vet.code).toBe(0);
  });

  const KUBECTL_LINES: readonly (readonly string[])[] = [
    ['kubectl-credential'],
    ['kubectl-credential', 'alice@contoso.com', '--scope', 'api://demo/read', '--scope=openid'],
    ['kubectl-credential', '--account=alice@contoso.com', '--min-valid', '600', '-t', 'TENANT-A'],
    // A kubeconfig written by kubelogin convert-kubeconfig, with only its command changed.
    ['get-token', '--login', 'azurecli', '--server-id', '6dae42f8-4368-4678-94ff-3960e28e3630', '--tenant-id', 'tenant-a', '--legacy', '--environment=AzurePublicCloud', '--login', 'devicecode'],
  ];
  const EXEC_INFOS: readonly (string | undefined)[] = [
    undefined,
    '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}',
    '{"apiVersion":"client.authentication.k8s.io/v1beta1"}',
    '{"apiVersion":"client.authentication.k8s.io/v2"}',
    'not json',
  ];

  it.each(KUBECTL_LINES.map((args) => [args.join(' '), args] as const))('"tessera %s" for kubectl: the same request line, notes and ExecCredential for every exec info', async (_, args) => {
    peer.reply = () => [answer(TOKEN_VALUE)];
    for (const execInfo of EXEC_INFOS) {
      const { node, native: fast, requests } = await both(args, execInfo === undefined ? {} : { KUBERNETES_EXEC_INFO: execInfo });
      expect(node.code, String(execInfo)).toBe(0);
      expect(JSON.parse(node.stdout)).toMatchObject({ kind: 'ExecCredential', status: { token: ACCESS_TOKEN, expirationTimestamp: '2030-01-01T00:00:00Z' } });
      expect(requests[0]).toMatchObject({ caller: { integration: 'kubectl' } });
      expect(requests[1]).toEqual(requests[0]);
      expect(fast, String(execInfo)).toEqual(node);
    }
  });

  it('kubectl: refuses an account of another tenant, and hands usage errors and kubeconfig-user to the Node client', async () => {
    peer.reply = () => [answer(TOKEN_VALUE)];
    const other = await both(['kubectl-credential', '--tenant-id', 'tenant-b']);
    expect(other.node).toMatchObject({ code: EXIT.failure, stdout: '' });
    expect(other.node.stderr).toContain("is in another tenant than the kubeconfig's --tenant-id");
    expect(other.native).toEqual(other.node);
    for (const args of [['kubectl-credential', 'a', 'b'], ['kubectl-credential', 'a', '--account', 'b'], ['kubectl-credential', '--min-valid', 'soon'], ['kubectl-credential', '--scope'], ['kubectl-credential', '--scope', 'has space'], ['kubectl-credential', '--server-id', 'x', '--server-id', 'y']]) {
      const { node, native: fast } = await both(args);
      expect(fast, args.join(' ')).toEqual(node);
    }
    // The entry names the command as it was run: the native client when it was (kubectl then runs it).
    const entry = await both(['kubeconfig-user', 'dev', '--server-id', 'api://aks']);
    expect(entry.node.stdout).toContain(`command: ${JSON.stringify(NODE_BIN)}`);
    expect(entry.native.stdout).toBe(entry.node.stdout.replace(JSON.stringify(NODE_BIN), JSON.stringify(native)));
  });

  it('prints the app’s notices while it waits, as the Node client does', async () => {
    peer.reply = () => [`${JSON.stringify({ id: 1, notice: { kind: 'waiting-for-approval', message: 'Approve this request in Tessera. Waiting…' } })}\n`, answer(TOKEN_VALUE)];
    const { node, native: fast } = await both(['token']);
    expect(node.stderr).toBe('tessera: Approve this request in Tessera. Waiting…\n');
    expect(fast).toEqual(node);
  });

  it('maps every error code of the app to the Node client’s exit code and message', async () => {
    const codes = [...Object.keys(EXIT_FOR_ERROR_CODE), 'provider_unreachable', 'a_code_from_a_newer_app'];
    for (const code of codes) {
      peer.reply = () => [failure(code, `The app refused this (${code}).`)];
      const { node, native: fast } = await both(['token']);
      expect(node.code, code).toBe(EXIT_FOR_ERROR_CODE[code] ?? EXIT.failure);
      expect(fast, code).toEqual(node);
    }
  });

  it('an unreadable answer and a hang-up before the answer end as in the Node client', async () => {
    peer.reply = () => ['this is not JSON\n'];
    const garbled = await both(['token']);
    expect(garbled.node).toEqual({ code: EXIT.failure, stdout: '', stderr: 'tessera: Tessera sent an answer this command cannot read. Update the command to the app’s version.\n' });
    expect(garbled.native).toEqual(garbled.node);

    peer.reply = () => [];
    const hungUp = await both(['token']);
    expect(hungUp.node).toEqual({ code: EXIT.appNotRunning, stdout: '', stderr: 'tessera: Tessera closed the connection before answering (did it quit?). Try again.\n' });
    expect(hungUp.native).toEqual(hungUp.node);
  });

  it('refuses an answer line larger than 1 MiB instead of reading without end', async () => {
    peer.reply = () => ['x'.repeat(2 * 1024 * 1024)];
    const run = await runProcess(native, ['token'], env());
    expect(run).toEqual({ code: EXIT.failure, stdout: '', stderr: 'tessera: Tessera sent an answer this command cannot read. Update the command to the app’s version.\n' });
  });

  it('hands every other command to the Node client: help, usage errors, --format az, status', async () => {
    peer.reply = (request) =>
      request.method === 'status'
        ? [answer({ app: 'Tessera', version: '9.9.9', mode: 'browser', pid: 42, endpoint: 'the socket', storage: { mode: 'encrypted', backend: 'test' }, approvals: { uiOpen: true, where: 'the page' }, accounts: 1 })]
        : [answer(TOKEN_VALUE)];
    for (const args of [['--help'], ['--version'], ['token', '--format', 'yaml'], ['token', '--min-valid', '-1'], ['token', 'a', 'b'], ['token', '--help'], ['token', '--', 'ls'], ['token', '--format', 'az'], ['status'], ['accounts', '--bogus'], ['token', '--resource', 'not a url'], ['token', '--resource', 'https://'], ['token', '--resource', 'api://a:b'], ['token', '--resource', 'https://exa mple.com'], ['token', '--resource', 'https://[::1]/'], ['token', '--resource', 'mailto:a%20b']]) {
      const { node, native: fast } = await both(args);
      expect(fast, args.join(' ')).toEqual(node);
    }
    const status = await both(['status']);
    expect(status.native.stdout).toContain('Tessera 9.9.9 is running (browser mode, pid 42)');
  });

  it('answers tessera token without Node on PATH, and says Node is needed for the rest', async () => {
    peer.reply = () => [answer(TOKEN_VALUE)];
    const token = await runProcess(native, ['token'], env({ PATH: '/nonexistent' }));
    expect(token).toEqual({ code: 0, stdout: `${ACCESS_TOKEN}\n`, stderr: '' });
    const status = await runProcess(native, ['status'], env({ PATH: '/nonexistent' }));
    expect(status).toEqual({ code: EXIT.failure, stdout: '', stderr: 'tessera: Node.js 20 or later must be on PATH to run this tessera command (tessera token runs without it).\n' });
  });

  it('says the app is not running, as the Node client does', async () => {
    const elsewhere = tempDir();
    const { node, native: fast } = await both(['token'], { XDG_RUNTIME_DIR: elsewhere });
    expect(node.code).toBe(EXIT.appNotRunning);
    expect(node.stderr).toBe(`tessera: Tessera is not running (nothing at ${join(elsewhere, 'tessera', 'bridge.sock')}). Start it (the Tessera app, or npm start) and try again.\n`);
    expect(fast).toEqual(node);
  });

  describe('refuses a socket someone else could have put there (exit 3, the Node client’s message)', () => {
    /** A runtime folder whose `tessera` folder `prepare` spoils; both clients must refuse it. */
    async function refusedBoth(prepare: (dir: string, socket: string) => Promise<void> | void): Promise<Run> {
      const runtime = tempDir();
      const dir = join(runtime, 'tessera');
      const socket = join(dir, 'bridge.sock');
      mkdirSync(dir, { mode: 0o700 });
      const listener = await RecordingPeer.start(socket);
      listener.reply = () => [answer(TOKEN_VALUE)];
      try {
        await prepare(dir, socket);
        const { node, native: fast, requests } = await both(['token'], { XDG_RUNTIME_DIR: runtime });
        expect(fast).toEqual(node);
        expect(node.code).toBe(EXIT.appNotRunning);
        expect(requests).toEqual([]);
        expect(listener.requests).toEqual([]);
        return node;
      } finally {
        await listener.close();
      }
    }

    it('a folder others can write to', async () => {
      const run = await refusedBoth((dir) => chmodSync(dir, 0o777));
      expect(run.stderr).toMatch(/can be written by other users; refusing to use it\. Run: chmod 700 /);
    });

    it('a socket others can write to', async () => {
      const run = await refusedBoth((_, socket) => chmodSync(socket, 0o666));
      expect(run.stderr).toMatch(/bridge\.sock can be written by other users; refusing to use it\. Restart Tessera/);
    });

    it('a plain file where the socket should be', async () => {
      const run = await refusedBoth((_, socket) => {
        rmSync(socket);
        writeFileSync(socket, '', { mode: 0o600 });
      });
      expect(run.stderr).toMatch(/bridge\.sock is not a socket; refusing to use it/);
    });

    it('a folder that is a link', async () => {
      const run = await refusedBoth((dir) => {
        // The folder, its listening socket with it, moves; a link takes its place. The socket is
        // reachable through the link: only the check refuses it.
        const real = `${dir}-real`;
        renameSync(dir, real);
        symlinkSync(real, dir);
      });
      expect(run.stderr).toMatch(/tessera is not a plain folder; remove it and start Tessera again\./);
    });

    requires(root('changes a file’s owner')).it('another user’s socket and folder', async () => {
      const socketRun = await refusedBoth((_, socket) => chownSync(socket, 65534, 65534));
      expect(socketRun.stderr).toMatch(/bridge\.sock belongs to another user; refusing to use it\./);
      const folderRun = await refusedBoth((dir) => chownSync(dir, 65534, 65534));
      expect(folderRun.stderr).toMatch(/belongs to another user; refusing to use it\. Remove it, or set TESSERA_SOCKET\./);
    });
  });

  requires(command('script', 'apt-get install util-linux (a real terminal)')).it('reports the same caller from a real terminal: program, parent, terminal and session', async () => {
    peer.reply = () => [answer(TOKEN_VALUE)];
    const before = peer.requests.length;
    // One terminal, one shell, both clients: everything they report about their caller must agree.
    const run = await inTerminal(`${q(process.execPath)} ${q(NODE_BIN)} token >/dev/null; ${q(native)} token >/dev/null; echo done`, { cwd: ROOT, env: env() });
    expect(run.output).toContain('done');
    const [fromNode, fromNative] = peer.requests.slice(before) as { caller: Record<string, unknown> }[];
    expect(fromNode?.caller).toMatchObject({ program: 'sh', parentProgram: expect.any(String), tty: expect.stringMatching(/^\/dev\/pts\/\d+$/), cwd: ROOT, integration: 'cli' });
    expect(fromNative?.caller).toEqual(fromNode?.caller);
  });
});
