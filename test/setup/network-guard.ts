import net from 'node:net';

/**
 * Tests talk to 127.0.0.1 only: any other outbound TCP connection fails loudly, so no test can depend on the
 * internet or a paid API by accident.
 */
const LOCAL = /^(127\.\d+\.\d+\.\d+|localhost|::1|::ffff:127\.0\.0\.1)$/;
const original = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const first = args[0] as { host?: string; path?: string } | number | string | undefined;
  const host = typeof first === 'object' && first !== null ? first.host ?? (first.path ? 'localhost' : undefined) : typeof args[1] === 'string' ? args[1] : undefined;
  if (host && !LOCAL.test(host)) throw new Error(`network access to ${host} is blocked in tests`);
  return (original as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;
