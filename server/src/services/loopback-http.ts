/**
 * @openid4vc 0.4.x checks every URL it builds or parses against one process-wide flag
 * (`setGlobalConfig({ allowInsecureUrls })`, read by `zHttpsUrl` in @openid4vc/utils); no call takes
 * a per-call option, so the flag cannot be narrower than the process. The server raises it only
 * when this node's own base URL is loopback http (no PUBLIC_URL): every URL it hands the library is
 * built from that base, and what it parses from outside (token, credential and direct_post
 * requests) carries no URL, so the flag widens nothing an outsider controls. With an https
 * PUBLIC_URL it is never raised. (The wallet vets each URL itself: web/wallet/oid4vci.ts.)
 */
import { getGlobalConfig, setGlobalConfig } from '@openid4vc/utils';
import { isLoopbackHttpUrl } from '../../../core/loopback-url';

export function allowLoopbackBase(url: string): void {
  if (isLoopbackHttpUrl(url) && !getGlobalConfig().allowInsecureUrls) setGlobalConfig({ ...getGlobalConfig(), allowInsecureUrls: true });
}
