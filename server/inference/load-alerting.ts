/**
 * The failure forecaster the server warns with: trained-models/alerting/alerting-model.json
 * (`npm run fit-alerts`). Its absence is not an error (warnings then come from a threshold on the
 * TTF model's nowcast); a file that is there but unreadable is.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertingModel } from '../../shared/alerts/hazard.ts';

export const ALERTING_DIR = 'alerting';

export function loadAlertingModel(modelsDir: string): AlertingModel | null {
  const file = join(modelsDir, ALERTING_DIR, 'alerting-model.json');
  if (!existsSync(file)) return null;
  const m = JSON.parse(readFileSync(file, 'utf8')) as Partial<AlertingModel>;
  if (m.kind !== 'slipwatch-alerting' || m.version !== 1) throw new Error(`${file}: not a slipwatch alerting model (kind ${JSON.stringify(m.kind)}, version ${JSON.stringify(m.version)})`);
  return m as AlertingModel;
}
