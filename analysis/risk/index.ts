export { createRiskDetector } from './detector.js';
export { DEFAULT_RISK_RULES_PATH, loadRiskRules, parseRiskRules, RiskRulesError, type RiskRules } from './rules.js';
export { normaliseText } from './normalise.js';
export * from './types.js';
