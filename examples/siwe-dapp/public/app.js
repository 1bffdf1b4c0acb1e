// The dapp's whole client: the injected EIP-1193 wallet (window.ethereum) signs an EIP-4361
// message for this page's origin with a nonce from the server; the server verifies it and
// answers an access token, which then reads the account (my_info). No library: the message
// format is EIP-4361's, and the server checks every field of it.
const button = document.getElementById('sign-in');
const status = document.getElementById('status');
const account = document.getElementById('account');

const say = (text, error = false) => {
  status.textContent = text;
  status.className = error ? 'error' : '';
};

/** UTF-8 text as 0x-hex, the form personal_sign takes. */
const hex = (text) => `0x${Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, '0')).join('')}`;

async function post(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw new Error(`${json.code}: ${json.message}`);
  return json;
}

/** The EIP-4361 message, field by field in the order the EIP defines. */
function siweMessage({ address, chainId, nonce, statement }) {
  return [
    `${location.protocol}//${location.host} wants you to sign in with your Ethereum account:`,
    address,
    '',
    ...(statement ? [statement, ''] : []),
    `URI: ${location.origin}${location.pathname}`,
    'Version: 1',
    `Chain ID: ${chainId}`,
    `Nonce: ${nonce}`,
    `Issued At: ${new Date().toISOString()}`,
  ].join('\n');
}

async function signIn() {
  const wallet = window.ethereum;
  if (!wallet) return say('No wallet found in this browser.', true);
  button.disabled = true;
  try {
    say('Asking the wallet for its account…');
    const [address] = await wallet.request({ method: 'eth_requestAccounts' });
    const chainId = parseInt(await wallet.request({ method: 'eth_chainId' }), 16);
    const { nonce, statement } = await post('/v2/auth/siwe/nonce', {});
    const message = siweMessage({ address, chainId, nonce, statement: statement ?? 'Sign in to the w3kit dapp example.' });
    say('Sign the message in your wallet…');
    const signature = await wallet.request({ method: 'personal_sign', params: [hex(message), address] });
    const login = await post('/v2/auth/siwe/verify', { message, signature });
    const info = await (await fetch('/rest/v1/account/my_info', { headers: { authorization: `Bearer ${login.token}` } })).json();
    say(`Signed in as ${login.address} on chain ${login.chainId}.`);
    account.hidden = false;
    account.textContent = JSON.stringify({ account_id: info.result.account_id, address: login.address, chain_id: login.chainId }, null, 2);
  } catch (error) {
    say(`Sign-in failed: ${error.message}`, true);
  } finally {
    button.disabled = false;
  }
}

button.addEventListener('click', signIn);
