// Where the operator CLI takes a password from. A password on the command line is visible to
// every user of the machine (ps, /proc/<pid>/cmdline) and stays in the shell history, so the CLI
// also reads one from standard input, from W3KIT_PASSWORD, or from a prompt that does not echo.

/** The environment variable the CLI reads a password from. */
export const PASSWORD_ENV = 'W3KIT_PASSWORD';

export interface PasswordSources {
  /** `--password <p>`: accepted, with a warning. */
  flag?: string | undefined;
  /** `--password-stdin`: the whole of standard input, less one final line break. */
  fromStdin?: boolean | undefined;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
  /** Ask on the terminal when no other source gives one and stdin is a TTY. */
  prompt: boolean;
}

export class PasswordSourceError extends Error {
  override readonly name = 'PasswordSourceError';
}

/**
 * The password from the first source that has one: `--password-stdin`, `--password` (with a
 * warning on stderr), W3KIT_PASSWORD, then a no-echo prompt (asked twice) when stdin is a
 * terminal. Undefined when none gives one; an empty password is refused.
 */
export async function readPassword(sources: PasswordSources): Promise<string | undefined> {
  if (sources.fromStdin && sources.flag !== undefined) throw new PasswordSourceError('--password and --password-stdin cannot be used together');
  let password: string | undefined;
  if (sources.fromStdin) {
    if (sources.stdin.isTTY) throw new PasswordSourceError('--password-stdin reads a pipe or a file, not the terminal (leave it out to be asked)');
    password = (await readAll(sources.stdin)).replace(/\r?\n$/, '');
  } else if (sources.flag !== undefined) {
    sources.stderr.write(`w3kit: warning: a password given with --password is visible to every process listing and kept in shell history; use ${PASSWORD_ENV}, --password-stdin or the prompt\n`);
    password = sources.flag;
  } else if (sources.env[PASSWORD_ENV] !== undefined) {
    password = sources.env[PASSWORD_ENV];
  } else if (sources.prompt && sources.stdin.isTTY) {
    password = await promptHidden(sources.stdin, sources.stderr, 'Password: ');
    if ((await promptHidden(sources.stdin, sources.stderr, 'Repeat password: ')) !== password) throw new PasswordSourceError('the two passwords differ');
  }
  if (password === '') throw new PasswordSourceError('the password is empty');
  return password;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads one line from the terminal in raw mode, echoing nothing; Ctrl-C or Ctrl-D aborts. */
function promptHidden(stdin: NodeJS.ReadStream, stderr: NodeJS.WriteStream, question: string): Promise<string> {
  stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (data: string) => {
      for (const char of data) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || (char === '\u0004' && typed === '')) return finish(new PasswordSourceError('no password given'));
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else if (char >= ' ') typed += char;
      }
    };
    stdin.on('data', onData);
  });
}
