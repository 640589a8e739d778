/**
 * The offline default detector as configured: the rule file plus, unless switched off, the learned model
 * (config/risk-model.json). One place, so the service, the CLI, the benchmarks and the tests run the same thing.
 */
import { createRiskDetector, type RiskDetectorOptions } from './detector.js';
import { DEFAULT_RISK_MODEL_PATH, loadRiskModel } from './model/model-file.js';
import { DEFAULT_RISK_RULES_PATH, loadRiskRules } from './rules.js';
import type { RiskDetector } from './types.js';

export interface RiskDetectorSettings {
  rulesPath?: string | undefined;
  /** false: rules only. Default: on. */
  modelEnabled?: boolean | undefined;
  modelPath?: string | undefined;
  /** One threshold for every category instead of the model's cross-validated ones. */
  modelThreshold?: number | undefined;
  /** Model probability below which a rule's category is dropped (0: never). Default: the model file's own. */
  ruleVeto?: number | undefined;
}

export function loadRiskDetector(settings: RiskDetectorSettings = {}): RiskDetector {
  const rules = loadRiskRules(settings.rulesPath ?? DEFAULT_RISK_RULES_PATH);
  if (settings.modelEnabled === false) return createRiskDetector(rules);
  const options: RiskDetectorOptions = { model: loadRiskModel(settings.modelPath ?? DEFAULT_RISK_MODEL_PATH) };
  if (settings.modelThreshold !== undefined) options.modelThreshold = settings.modelThreshold;
  if (settings.ruleVeto !== undefined) options.ruleVeto = settings.ruleVeto;
  return createRiskDetector(rules, options);
}
