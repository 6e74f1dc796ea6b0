import { describe, expect, it } from 'vitest';
import { concealedClipboardFormat } from '../../../main/clipboard/concealed-format';

describe('concealedClipboardFormat', () => {
  it('names the marker of each platform', () => {
    expect(concealedClipboardFormat('darwin')?.format).toBe('org.nspasteboard.ConcealedType');
    expect(concealedClipboardFormat('win32')?.format).toBe('ExcludeClipboardContentFromMonitorProcessing');
    expect(concealedClipboardFormat('linux')).toEqual({ format: 'x-kde-passwordManagerHint', value: 'secret' });
    expect(concealedClipboardFormat('aix')).toBeUndefined();
  });
});
