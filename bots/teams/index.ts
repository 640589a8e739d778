import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import type { Store } from '../../core/store/index.js';
import type { ChannelSender } from '../channel.js';
import type { Dispatcher } from '../dispatch.js';
import { registerTeamsRoutes } from './routes.js';
import { createTeamsSender } from './sender.js';
import { createTeamsTurnHandler } from './turn.js';

/** Where outbound calls get their Azure AD tokens (botframework-connector's factory, not re-exported by botbuilder). */
export type TeamsCredentialsFactory = NonNullable<ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[1]>;

export interface TeamsOverrides {
  /** Extra Bot Framework settings: a sovereign cloud's endpoints, or a local OpenID endpoint in tests. */
  auth?: ConfigurationBotFrameworkAuthenticationOptions;
  /** Replaces the Azure AD credential source for outbound calls (tests use a fixed token). */
  credentialsFactory?: TeamsCredentialsFactory;
}

export interface TeamsChannel {
  sender: ChannelSender;
  /** True when no Microsoft app id is configured and inbound requests are not authenticated. */
  anonymous: boolean;
  describe(): string;
  registerRoutes(app: FastifyInstance, deps: { dispatcher: Dispatcher }): void;
}

type TeamsConfig = Pick<Config, 'NODE_ENV' | 'MicrosoftAppId' | 'MicrosoftAppPassword' | 'MicrosoftAppType' | 'MicrosoftAppTenantId'>;

/**
 * Microsoft Teams through the Bot Framework: one `CloudAdapter` shared by the inbound endpoint (gateway) and the
 * proactive sender (worker). Without an app id the endpoint accepts unauthenticated activities, which is what the
 * Bot Framework Emulator and local development need, and is refused in production.
 */
export function createTeamsChannel(config: TeamsConfig, logger: Logger, store: Store, overrides: TeamsOverrides = {}): TeamsChannel {
  const anonymous = !config.MicrosoftAppId;
  const auth = new ConfigurationBotFrameworkAuthentication(
    {
      MicrosoftAppId: config.MicrosoftAppId,
      MicrosoftAppPassword: config.MicrosoftAppPassword,
      MicrosoftAppType: config.MicrosoftAppType,
      MicrosoftAppTenantId: config.MicrosoftAppTenantId,
      ...overrides.auth,
    },
    overrides.credentialsFactory,
  );
  const adapter = new CloudAdapter(auth);
  const log = logger.child({ channel: 'teams' });
  const enabled = !(anonymous && config.NODE_ENV === 'production');

  return {
    sender: createTeamsSender({ adapter, appId: config.MicrosoftAppId ?? '', logger: log }),
    anonymous,
    describe: () => (anonymous ? (enabled ? 'POST /api/messages (anonymous, development only)' : 'disabled (MicrosoftAppId not set)') : `POST /api/messages (app ${config.MicrosoftAppId})`),
    registerRoutes(app, { dispatcher }) {
      if (anonymous) {
        log.warn(enabled
          ? 'MicrosoftAppId is not set: /api/messages accepts unauthenticated Bot Framework requests (local development and the Emulator only)'
          : 'MicrosoftAppId is not set: /api/messages refuses all requests in production');
      }
      registerTeamsRoutes(app, { adapter, enabled, handler: createTeamsTurnHandler({ dispatcher, store, logger: log }) });
    },
  };
}
