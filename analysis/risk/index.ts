export { createRiskDetector, type RiskDetectorOptions } from './detector.js';
export { loadRiskDetector, type RiskDetectorSettings } from './load.js';
export { DEFAULT_RISK_MODEL_PATH, loadRiskModel, RiskModelError } from './model/model-file.js';
export type { RiskModel } from './model/model.js';
export { DEFAULT_RISK_RULES_PATH, loadRiskRules, parseRiskRules, RiskRulesError, type RiskRules } from './rules.js';
export { normaliseText } from './normalise.js';
export * from './types.js';
