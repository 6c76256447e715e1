import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface DeliveredMail {
  readonly mail: ParsedMail;
  readonly secure: boolean;
  readonly user: string | undefined;
  readonly rcpt: string[];
}

export interface SmtpReceiverOptions {
  /** The one login it accepts; without it, AUTH is optional. */
  readonly login?: { readonly user: string; readonly pass: string };
  /** Offers STARTTLS with smtp-server's own self-signed certificate. Default true. */
  readonly starttls?: boolean;
  /** The SMTP reply to a message's data: undefined accepts it, 451 asks to try later, 550 refuses it. */
  readonly reply?: () => number | undefined;
}

/**
 * A local SMTP server on 127.0.0.1 that keeps each mail it accepts, parsed, with how it came
 * (TLS, user, recipients). HTML keeps its `cid:` references as sent (mailparser inlines them by default).
 */
export async function smtpReceiver(options: SmtpReceiverOptions = {}) {
  const delivered: DeliveredMail[] = [];
  const { login } = options;
  const server = new SMTPServer({
    ...(login
      ? {
          authMethods: ['PLAIN', 'LOGIN'],
          onAuth(auth, _session, callback) {
            if (auth.username === login.user && auth.password === login.pass)
              callback(null, { user: auth.username });
            else callback(new Error('Invalid username or password'));
          },
        }
      : { authOptional: true }),
    ...(options.starttls === false && { disabledCommands: ['STARTTLS'] }),
    onData(stream, session, callback) {
      simpleParser(stream, { keepCidLinks: true }).then((mail) => {
        const code = options.reply?.();
        if (code !== undefined)
          return callback(Object.assign(new Error(`${code} not now`), { responseCode: code }));
        delivered.push({
          mail,
          secure: session.secure,
          user: session.user as string | undefined,
          rcpt: session.envelope.rcptTo.map((r) => r.address),
        });
        callback();
      }, callback);
    },
    logger: false,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    delivered,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
