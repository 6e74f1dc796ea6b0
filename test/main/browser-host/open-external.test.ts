import { describe, expect, it } from 'vitest';
import { createOpenExternal, openerFor } from '../../../main/browser-host/open-external';

describe('openerFor', () => {
  it('never hands a URL to cmd.exe, where | & ^ % in a provider-supplied path would run commands', () => {
    // WHATWG URLs keep these characters in the path; a discovery document chooses the path.
    const url = new URL('https://idp.example/authorize|calc^x%PATH%(y)&z?state=1&nonce=2').href;
    const opener = openerFor('win32');
    expect(opener.command).not.toMatch(/^cmd/i);
    const args = opener.args(url);
    expect(args[args.length - 1]).toBe(url);
    expect(args.slice(0, -1)).not.toContain('/c');
    expect(args.slice(0, -1)).not.toContain('start');
  });

  it('passes the URL as one argument on macOS and Linux', () => {
    expect(openerFor('darwin').args('https://a.example/')).toEqual(['https://a.example/']);
    expect(openerFor('linux').args('https://a.example/')).toEqual(['https://a.example/']);
  });
});

describe('createOpenExternal', () => {
  it('refuses URLs that are neither https nor loopback http', async () => {
    const printed: string[] = [];
    const open = createOpenExternal((line) => printed.push(line), 'linux');
    await expect(open('file:///etc/passwd')).rejects.toThrow(/neither https nor loopback/);
    await expect(open('http://evil.example/')).rejects.toThrow(/neither https nor loopback/);
    await expect(open('javascript:alert(1)')).rejects.toThrow(/neither https nor loopback/);
    expect(printed).toEqual([]);
  });
});
