/**
 * Checks the end-to-end tests run on the app's page in Chromium: what axe-core finds, and where
 * keyboard focus is. One copy, so every e2e file judges accessibility by the same rule.
 */
import axe from 'axe-core';
import type { Page } from 'playwright-core';

/** One axe violation as the page reports it back. */
interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly nodes: readonly { readonly target: readonly string[]; readonly failureSummary?: string }[];
}

/**
 * The serious and critical axe-core violations on `page`, one line each (rule, impact, the elements
 * and axe's summary of what to fix); empty when there are none.
 */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  // Evaluated over the DevTools protocol, which the page's CSP (script-src 'self') does not govern.
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const run = (window as unknown as { axe: { run: (context: Document) => Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await run.run(document)).violations;
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => `${node.target.join(' ')} ${node.failureSummary ?? ''}`).join(', ')}`);
}
