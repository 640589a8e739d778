/**
 * Stands in for the Bot Framework's token issuer: an OpenID metadata endpoint and its signing keys on 127.0.0.1, and
 * RS256 tokens signed with that key (or with a stranger's key), so the real botbuilder JWT validation runs in tests.
 *
 *   const issuer = await startFakeBotFrameworkIssuer();
 *   // teams overrides: { auth: issuer.authSettings() }
 *   fetch(…, { headers: { authorization: `Bearer ${issuer.token({ aud: appId, serviceurl })}` } })
 */
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The issuer the Bot Framework puts in channel tokens; botbuilder accepts only this one by default. */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

function sign(claims: Record<string, unknown>, key: KeyObject, kid: string): string {
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const body = b64url(JSON.stringify(claims));
  const signature = createSign('RSA-SHA256').update(`${head}.${body}`).sign(key);
  return `${head}.${body}.${b64url(signature)}`;
}

export async function startFakeBotFrameworkIssuer() {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'kefu-test-key';
  const jwk = { ...keys.publicKey.export({ format: 'jwk' }), kid, use: 'sig', kty: 'RSA' };

  const server = createServer((req, res) => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      res.end(JSON.stringify({ issuer: BOT_FRAMEWORK_ISSUER, jwks_uri: `${url}/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
    } else if (req.url === '/keys') {
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.writeHead(404).end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const claims = (extra: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    return { iss: BOT_FRAMEWORK_ISSUER, nbf: now - 60, iat: now - 60, exp: now + 3600, ...extra };
  };

  const metadataUrl = `http://127.0.0.1:${port}/.well-known/openid-configuration`;
  return {
    metadataUrl,
    /**
     * Bot Framework settings pointing token validation here. botbuilder takes a partial set as "all parameters are
     * intentional", so the public-cloud values of the other endpoints are spelled out (outbound calls use them only
     * through the credentials factory, which tests replace).
     */
    authSettings: () => ({
      ToBotFromChannelOpenIdMetadataUrl: metadataUrl,
      ToBotFromEmulatorOpenIdMetadataUrl: metadataUrl,
      ToBotFromChannelTokenIssuer: BOT_FRAMEWORK_ISSUER,
      ToChannelFromBotOAuthScope: BOT_FRAMEWORK_ISSUER,
      ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
      OAuthUrl: BOT_FRAMEWORK_ISSUER,
      CallerId: 'urn:botframework:azure',
      ValidateAuthority: true,
    }),
    /** A token signed with the published key; pass `aud` (the app id) and `serviceurl` (the activity's). */
    token: (extra: Record<string, unknown>) => sign(claims(extra), keys.privateKey, kid),
    /** Same claims, signed with a key the metadata does not publish. */
    forgedToken: (extra: Record<string, unknown>) => sign(claims(extra), stranger.privateKey, 'unknown-key'),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
