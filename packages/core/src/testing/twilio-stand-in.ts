import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TwilioReply {
  status: number;
  body: unknown;
}

export interface TwilioStandInOptions {
  accountSid: string;
  authToken: string;
  /** How to answer a well-formed request. Default: 201 `{ sid, status: 'queued' }`. */
  respond?: (form: URLSearchParams) => TwilioReply;
}

export interface TwilioStandIn {
  /** Base URL to configure as the sender's `baseUrl`. */
  url: string;
  /** Every well-formed message request received, in order. */
  received: URLSearchParams[];
  /** Changes how later well-formed requests are answered. */
  respondWith(respond: (form: URLSearchParams) => TwilioReply): void;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });

/**
 * A local stand-in for Twilio's Messages API that checks each request as Twilio documents it:
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP Basic auth with the account SID
 * and auth token, a form-encoded body with `To`, `Body` and `From` or `MessagingServiceSid`.
 * A request that breaks one of those rules is answered the way Twilio answers it (404, 401, 400)
 * and is not recorded. Listens on loopback, on a free port.
 */
export async function startTwilioStandIn(options: TwilioStandInOptions): Promise<TwilioStandIn> {
  const received: URLSearchParams[] = [];
  let respond = options.respond ?? (() => ({ status: 201, body: { sid: `SM${received.length}`, status: 'queued' } }));
  const expectedAuth = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.method !== 'POST' || req.url !== `/2010-04-01/Accounts/${options.accountSid}/Messages.json`) {
      return reply(404, { code: 20404, message: 'The requested resource was not found' });
    }
    if (req.headers.authorization !== expectedAuth) return reply(401, { code: 20003, message: 'Authenticate' });
    if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      return reply(400, { code: 0, message: 'application/x-www-form-urlencoded expected' });
    }
    const form = new URLSearchParams(body);
    if (!form.get('To') || !form.get('Body') || !(form.get('From') || form.get('MessagingServiceSid'))) {
      return reply(400, { code: 21604, message: "A 'To' phone number is required." });
    }
    received.push(form);
    const answer = respond(form);
    reply(answer.status, answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    respondWith(next) {
      respond = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
