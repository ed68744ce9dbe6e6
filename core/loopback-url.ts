/**
 * Plain http is accepted only on this machine: a registry without PUBLIC_URL serves
 * http://127.0.0.1:<port>, and a wallet or the server's own protocol library may talk to it. The
 * one test of "loopback http" for the config, the server and the wallet.
 */
export function isLoopbackHttpUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const { protocol, hostname } = parsed;
  return protocol === 'http:' && (hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname));
}
