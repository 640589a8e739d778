import type { Config } from '../core/config.js';
import { DEFAULT_CAMPAIGNS_DIR, loadCampaigns, type CampaignDefinition } from './campaigns/campaign-config.js';
import { loadOutreachSettings, type OutreachSettings } from './campaigns/settings.js';
import { loadFlagging, type FlaggingConfig } from './flags/rules.js';
import { loadInsightsSettings, type InsightsSettings } from './insights/settings.js';
import { createSlackDigestPoster, type DigestPoster } from './insights/slack.js';

/** Profiles, flags, campaigns and insights configuration, loaded and checked once per process. */
export interface Engagement {
  flagging: FlaggingConfig;
  outreach: OutreachSettings;
  insights: InsightsSettings;
  campaignsDir: string;
  campaigns: Map<string, CampaignDefinition>;
  /** Where weekly digests are posted; absent = stored only. */
  postDigest?: DigestPoster;
}

export type EngagementConfig = Pick<Config, 'KEFU_CAMPAIGNS_DIR' | 'SLACK_BOT_TOKEN' | 'SLACK_API_URL' | 'SLACK_INSIGHTS_CHANNEL'>;

/** Reads config/flagging.yaml, config/outreach.yaml, config/insights.yaml and the campaign folder; any mistake throws. */
export function loadEngagement(config: EngagementConfig): Engagement {
  const outreach = loadOutreachSettings();
  const campaignsDir = config.KEFU_CAMPAIGNS_DIR ?? DEFAULT_CAMPAIGNS_DIR;
  return {
    flagging: loadFlagging(),
    outreach,
    insights: loadInsightsSettings(),
    campaignsDir,
    campaigns: loadCampaigns(campaignsDir, outreach),
    postDigest: config.SLACK_BOT_TOKEN
      ? createSlackDigestPoster({ token: config.SLACK_BOT_TOKEN, channel: config.SLACK_INSIGHTS_CHANNEL, apiUrl: config.SLACK_API_URL })
      : undefined,
  };
}

/** The configuration files with no environment overrides: for callers that build activities without a Config. */
export const defaultEngagement = (): Engagement =>
  loadEngagement({ KEFU_CAMPAIGNS_DIR: undefined, SLACK_BOT_TOKEN: undefined, SLACK_API_URL: undefined, SLACK_INSIGHTS_CHANNEL: 'kefu-insights' });
