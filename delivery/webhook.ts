import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { checkWebhookUrl, type HostResolver, type WebhookAllowList } from '../subgraphs/kit/ssrf';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signWebhook } from '../subgraphs/kit/webhook-signature';

export type PostResult = { ok: true; status: number } | { ok: false; error: string };

/**
 * POSTs one signed batch to a consumer's webhook. The URL is checked against SSRF again right
 * before the call (kit/ssrf.ts), and the connection goes to the addresses that check resolved —
 * not to a second DNS answer (DNS rebinding). Redirects are not followed; any non-2xx answer, a
 * timeout or a refused connection is a failure. The result is a short text fit for `last_error`:
 * a status code or a cause, never the URL or the receiver's body.
 */
export async function postWebhook(opts: {
  url: string;
  body: string;
  deliveryId: string;
  secrets: readonly string[];
  allowList: WebhookAllowList;
  timeoutMs: number;
  signal?: AbortSignal;
  resolveHost?: HostResolver;
}): Promise<PostResult> {
  const check = await checkWebhookUrl(opts.url, opts.allowList, opts.resolveHost);
  if (!check.ok) return { ok: false, error: 'webhook URL refused' };
  const { url, addresses } = check;
  const pinned: LookupFunction = (_host, options, callback) => {
    const all = addresses.map((address) => ({ address, family: isIP(address) }));
    if ((options as { all?: boolean }).all) (callback as (e: null, a: typeof all) => void)(null, all);
    else callback(null, all[0]!.address, all[0]!.family);
  };
  const options: RequestOptions = {
    method: 'POST',
    lookup: pinned,
    headers: {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(opts.body),
      'user-agent': 'epidemic-federation-webhooks/1',
      [SIGNATURE_HEADER]: signWebhook(opts.body, opts.secrets),
      [DELIVERY_HEADER]: opts.deliveryId,
    },
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const finish = (r: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const req = send(url, options, (res) => {
      const status = res.statusCode ?? 0;
      res.resume(); // the body is never read or stored
      finish(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, error: `HTTP ${status}` });
    });
    const timer = setTimeout(() => {
      finish({ ok: false, error: 'timeout' });
      req.destroy();
    }, opts.timeoutMs);
    const onAbort = () => {
      finish({ ok: false, error: 'aborted' });
      req.destroy();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', () => finish({ ok: false, error: 'connection failed' }));
    req.end(opts.body);
  });
}
