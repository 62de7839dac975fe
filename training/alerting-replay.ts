/**
 * An alert stream replayed as the monitor lives it: sample by sample in time order, each slip
 * handed to the rules once the streaming detector would have reported it, every alert stamped
 * with its issue time, alerts still on at the end closed there. The same loop runs the forecaster
 * and every baseline, so all are scored alike (shared/alerts.ts).
 */
import type { Alert, AlertEvent } from '../shared/alerts.ts';
import { type AlertStream, SLIP_REPORT_DELAY_S } from './alerting-data.ts';

/** What a replayed rule needs: slips as reported, AE samples as issued. */
export interface AlertRule {
  slip?(onsetS: number, knownAtS: number): void;
  push(sampleS: number, issuedS: number, level: number): AlertEvent[];
  readonly detector: { close(tS: number): AlertEvent[]; readonly history: Alert[] };
}

/** Replay a stream through rules; calls onSample after each sample (forecast recording). Returns each rule's alerts. */
export function replayRules(s: AlertStream, rules: readonly AlertRule[], onSample?: (k: number, sampleS: number, issuedS: number) => void): Alert[][] {
  let next = 0;
  for (let k = 0; k < s.level.length; k++) {
    const sampleS = s.startS + k / s.rateHz;
    const issuedS = sampleS + s.delayS;
    while (next < s.onsetsS.length && s.onsetsS[next] + SLIP_REPORT_DELAY_S <= issuedS) {
      for (const r of rules) r.slip?.(s.onsetsS[next], issuedS);
      next++;
    }
    for (const r of rules) r.push(sampleS, issuedS, s.level[k]);
    onSample?.(k, sampleS, issuedS);
  }
  const endS = s.startS + s.level.length / s.rateHz + s.delayS;
  for (const r of rules) r.detector.close(endS);
  return rules.map((r) => r.detector.history);
}
