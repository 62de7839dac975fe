/**
 * Alerts: the live banner (an alert is on; it clears when the alert clears or the session ends),
 * and the timeline of alerts and measured slips, newest first, in experiment time: each alert with
 * its issue time, probability, predicted TTF +- std and when it cleared; each slip with its outcome
 * (warned, late, missed) and its real lead from the alert's issue time; each model adapted live
 * with the cycles it learnt from and its R^2 before and after. Outcomes and the counts
 * above the list come from the one scoring module (shared/alerts.ts: scoreWarnings) the server and
 * evaluation use, over exactly the alerts and slips listed, so the counts match the rows.
 */
import { type Alert, DEFAULT_LEAD_S, median, scoreWarnings } from '../shared/alerts.ts';
import type { Marks } from './chart-marks.ts';
import type { Adaptation } from './messages.ts';

const MAX_ROWS = 200;
const t = (s: number) => `${s.toFixed(1)} s`;

export class AlertsPanel {
  private alerts: { alert: Alert; row: HTMLLIElement }[] = [];
  private slips: { tS: number; dropMu: number; row: HTMLLIElement }[] = [];
  private adaptations: { a: Adaptation; row: HTMLLIElement }[] = [];
  /** session time the session has reached (alerts still on are scored as on until then) */
  private nowS = 0;
  private ended = false;

  constructor(
    private readonly banner: HTMLElement,
    private readonly list: HTMLElement,
    private readonly counts: HTMLElement,
    private readonly marks: Marks,
  ) {
    this.reset();
  }

  reset(): void {
    this.alerts = [];
    this.slips = [];
    this.adaptations = [];
    this.nowS = 0;
    this.ended = false;
    this.marks.alerts.length = 0;
    this.marks.slipsS.length = 0;
    this.marks.adaptations.length = 0;
    this.list.replaceChildren();
    this.showBanner(null);
    this.counts.textContent = 'no alerts or slips yet';
  }

  /** Session time the data has reached (from the charts' newest sample). */
  advance(nowS: number): void {
    this.nowS = Math.max(this.nowS, nowS);
  }

  onAlert(event: 'on' | 'off', alert: Alert): void {
    const found = this.alerts.find((a) => a.alert.id === alert.id);
    if (found) found.alert = alert;
    else this.alerts.push({ alert, row: this.row('alert') });
    if (this.alerts.length > MAX_ROWS) this.alerts.shift();
    this.marks.alerts.splice(0, this.marks.alerts.length, ...this.alerts.map((a) => a.alert));
    this.advance(alert.offS ?? alert.onS);
    this.showBanner(event === 'on' && !this.ended ? alert : null);
    this.render();
  }

  onSlip(tS: number, dropMu: number): void {
    this.slips.push({ tS, dropMu, row: this.row('slip') });
    if (this.slips.length > MAX_ROWS) this.slips.shift();
    this.marks.slipsS.splice(0, this.marks.slipsS.length, ...this.slips.map((s) => s.tS));
    this.advance(tS);
    this.render();
  }

  /** A model adapted live: marked on its chart and listed (swapped or kept, with the scores). */
  onAdapted(a: Adaptation): void {
    this.adaptations.push({ a, row: this.row('adapted') });
    if (this.adaptations.length > MAX_ROWS) this.adaptations.shift();
    this.marks.adaptations.splice(0, this.marks.adaptations.length, ...this.adaptations.map(({ a: x }) => ({ tS: x.tS, target: x.target, swapped: x.swapped })));
    this.render();
  }

  /** The session ended (its replay is done, stopped or failed): no alert is on any more. */
  sessionEnded(why: string): void {
    if (this.ended) return;
    this.ended = true;
    this.showBanner(null);
    this.counts.dataset.ended = why;
    this.render();
  }

  /** Times changed meaning (the session's experiment start became known): rewrite every row. */
  render(): void {
    const off = this.marks.offsetS;
    const alerts = this.alerts.map((a) => a.alert);
    const scored = scoreWarnings(alerts, this.slips.map((s) => s.tS), { fromS: -Infinity, toS: this.nowS + 1e-9, sessionEndS: this.nowS });
    for (const { alert: a, row } of this.alerts) {
      const cleared = a.offS !== undefined ? `cleared ${t(a.offS + off)} (on ${(a.offS - a.onS).toFixed(1)} s)` : this.ended ? 'still on when the session ended' : 'on now';
      row.textContent = `alert #${a.id} issued ${t(a.onS + off)}: ${describe(a)}; ${cleared}`;
    }
    this.slips.forEach((s, k) => {
      const o = scored.perSlip[k];
      const a = o.alert >= 0 ? alerts[o.alert] : null;
      const by = !a ? 'missed (no alert on at the onset)' : o.outcome === 'warned' ? `warned by alert #${a.id}, issued ${o.leadS.toFixed(1)} s ahead` : `late: alert #${a.id} issued only ${o.leadS.toFixed(1)} s ahead (< ${DEFAULT_LEAD_S} s)`;
      s.row.textContent = `slip ${t(s.tS + off)} (drop ${s.dropMu.toFixed(3)}): ${by}`;
      s.row.dataset.outcome = a ? o.outcome : 'missed';
    });
    for (const { a, row } of this.adaptations) row.textContent = adaptationText(a, off);
    const lead = scored.leadTimesS.length ? ` · median lead ${median(scored.leadTimesS).toFixed(1)} s` : '';
    const ended = this.ended ? ` · session ${this.counts.dataset.ended}` : '';
    this.counts.textContent =
      this.slips.length || this.alerts.length
        ? `warned ${scored.warnedSlips} of ${scored.slips} slips (alert on >= ${DEFAULT_LEAD_S} s before), late ${scored.lateSlips}, missed ${scored.missedSlips} · false alarms ${scored.falseAlarms}${lead}${ended}`
        : `no alerts or slips yet${ended}`;
    Object.assign(this.counts.dataset, { warned: scored.warnedSlips, slips: scored.slips, falseAlarms: scored.falseAlarms });
  }

  private showBanner(a: Alert | null): void {
    this.banner.hidden = !a;
    this.banner.textContent = a ? `Failure predicted: alert #${a.id} issued at ${t(a.onS + this.marks.offsetS)}: ${describe(a)}` : '';
  }

  private row(kind: 'alert' | 'slip' | 'adapted'): HTMLLIElement {
    const li = document.createElement('li');
    li.className = kind;
    this.list.prepend(li);
    while (this.list.children.length > MAX_ROWS) this.list.lastElementChild!.remove();
    return li;
  }
}

/** Probability (when the alert carries one), predicted TTF and its uncertainty. */
function describe(a: Alert): string {
  const p = a.probability !== undefined ? `P(slip within ${a.horizonS} s) ${(100 * a.probability).toFixed(0)} %, ` : '';
  const sd = a.ttfStdS !== undefined ? ` +- ${a.ttfStdS.toFixed(1)}` : '';
  return `${p}predicted TTF ${a.predictedTtfS.toFixed(1)}${sd} s`;
}

/** "friction model adapted on 6 cycles at 312.4 s: R^2 0.41 -> 0.63", or why the running one was kept. */
export function adaptationText(a: Adaptation, offsetS: number): string {
  const scores = `R^2 ${a.beforeR2.toFixed(2)} -> ${a.afterR2.toFixed(2)}`;
  if (a.swapped) return `${a.target} model adapted on ${a.cycles} cycles, from ${t(a.tS + offsetS)}: ${scores}`;
  return `${a.target} model kept at ${t(a.tS + offsetS)}: adapting on ${a.cycles} cycles gave ${scores}${a.reason ? ` (${a.reason})` : ''}`;
}
