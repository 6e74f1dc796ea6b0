// Node module-customization hook (registered by driver.ts): every `import 'electron'` — from the
// built main bundle and from its runtime dependencies such as electron-store — resolves to the
// recording double instead of the npm package (which only exports the binary's path).
let doubleUrl;

export function initialize(data) {
  doubleUrl = data.doubleUrl;
}

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron' || specifier.startsWith('electron/')) return { url: doubleUrl, shortCircuit: true };
  return nextResolve(specifier, context);
}
