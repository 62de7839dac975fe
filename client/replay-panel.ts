/**
 * Replay control: pick a recording (p4581 by load level), a window preset and a speed; start,
 * pause / resume, stop, and seek (a new replay from the chosen second). Talks to the server's
 * REST replay routes; a replay streams through the same ingest as a live rig.
 */
import type { ErrorBody, RecordingInfo, RecordingsBody, ReplaysBody, ReplayState, StatusBody } from '../shared/rest/contracts.ts';

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const r = await fetch(url, init);
  const body = (await r.json()) as T & Partial<ErrorBody>;
  if (!r.ok) throw new Error(body.error ?? `${url}: HTTP ${r.status}`);
  return body;
}

export class ReplayPanel {
  private current: ReplayState | null = null;
  private infos = new Map<string, RecordingInfo>();

  constructor(
    private readonly el: {
      recording: HTMLSelectElement;
      level: HTMLSelectElement;
      preset: HTMLSelectElement;
      speed: HTMLSelectElement;
      models: HTMLFieldSetElement;
      start: HTMLButtonElement;
      pause: HTMLButtonElement;
      stop: HTMLButtonElement;
      seek: HTMLInputElement;
      seekGo: HTMLButtonElement;
      progress: HTMLElement;
      speedNote: HTMLElement;
      error: HTMLElement;
    },
  ) {
    el.start.onclick = () => void this.start(this.levelStartS());
    el.pause.onclick = () => void this.pauseResume();
    el.stop.onclick = () => void this.control('stop');
    el.seekGo.onclick = () => void this.start(Number(el.seek.value) || 0);
    el.recording.onchange = () => this.showLevels();
    el.preset.onchange = () => this.showModels();
  }

  private models: { name: string; target: string; preset: string }[] = [];

  /** Fill the controls: the server's recordings (then its archived sessions) and its models. */
  async load(models: { name: string; target: string; preset: string }[]): Promise<void> {
    this.models = models;
    const presets = [...new Set(models.map((m) => m.preset))];
    const { recordings } = await json<RecordingsBody>('/recordings');
    this.infos = new Map(recordings.map((r) => [r.id, r]));
    // a recording the server cannot replay is listed, disabled, with the server's reason
    this.el.recording.replaceChildren(
      ...recordings.map((r) => {
        const o = new Option(`${r.id}${r.durationS === null ? '' : ` (${r.durationS.toFixed(0)} s)`}${r.unavailable ? ' - unavailable' : ''}`, r.id);
        o.disabled = r.unavailable !== undefined;
        o.title = r.unavailable ?? '';
        return o;
      }),
    );
    if (this.infos.has('p4677')) this.el.recording.value = 'p4677';
    if (this.el.preset.options.length === 0 || presets.length === 0) this.el.error.textContent = 'the server has no models: replays are archived, nothing is predicted';
    // the presets are the served models' own (their manifests); without models a replay is archived only
    this.el.preset.replaceChildren(...(presets.length ? presets.map((p) => new Option(p, p)) : [new Option('no models: archive only', '')]));
    this.showLevels();
    this.showModels();
    await this.refresh();
  }

  /** Final state of each replay by session id ("done", "stopped", "failed: why"). */
  private finals = new Map<string, string>();
  private lastSample: { id: string; sentS: number; at: number; speedX: number } | null = null;

  lastOf(session: string): string | undefined {
    return this.finals.get(session);
  }

  /** The running or paused replay, polled with the status; says when it runs slower than asked, and why. */
  async refresh(status?: StatusBody, session = ''): Promise<ReplayState | null> {
    const { replays } = await json<ReplaysBody>('/replay');
    for (const r of replays) if (r.state === 'done' || r.state === 'stopped' || r.state === 'failed') this.finals.set(r.id, r.state === 'failed' ? `failed: ${r.error}` : r.state);
    this.current = [...replays].reverse().find((r) => r.state === 'running' || r.state === 'paused') ?? null;
    const c = this.current;
    this.el.pause.disabled = this.el.stop.disabled = !c;
    this.el.pause.textContent = c?.state === 'paused' ? 'Resume' : 'Pause';
    const failed = replays.find((r) => r.id === session && r.state === 'failed');
    if (failed) this.el.error.textContent = `replay ${failed.recording} failed: ${failed.error}`;
    this.el.progress.textContent = c ? `${c.recording}: ${c.state}, ${c.sentS.toFixed(1)} of ${c.totalS.toFixed(0)} s (experiment time)` : 'no replay running';
    if (c) this.followLevel(c);
    this.el.speedNote.textContent = c && status ? this.speedNote(c, status) : '';
    return c;
  }

  /** The level box shows the level the replay is in. */
  private followLevel(c: ReplayState): void {
    if (this.el.recording.value !== c.recording) return;
    const level = this.infos.get(c.recording)?.levels.find((l) => l.startS <= c.sentS && c.sentS < l.endS);
    if (level && this.el.level.value !== String(level.startS)) this.el.level.value = String(level.startS);
  }

  /** The achieved speed over the last poll; below 90 % of a numeric request, with the backlog that explains it. */
  private speedNote(c: ReplayState, s: StatusBody): string {
    const now = performance.now();
    const last = this.lastSample;
    this.lastSample = { id: c.id, sentS: c.sentS, at: now, speedX: last?.id === c.id ? last.speedX : Number.NaN };
    if (!last || last.id !== c.id || c.state !== 'running' || now - last.at < 500) return '';
    const x = (c.sentS - last.sentS) / ((now - last.at) / 1000);
    // smoothed over a few polls so one slow second does not flash a warning
    const speedX = Number.isNaN(last.speedX) ? x : 0.6 * last.speedX + 0.4 * x;
    this.lastSample.speedX = speedX;
    if (c.speed === 'max' || speedX >= 0.9 * c.speed) return '';
    const st = s.stages?.[c.id];
    const queued = st ? Object.entries(st.infer).map(([t, v]) => `${t} ${v.queued}`).join(', ') : '';
    const why = st && st.backlogS > 0.5 ? `inference is behind: ${st.backlogS.toFixed(1)} s of AE waiting (windows queued: ${queued}); flow control holds the producer's acks (${s.ingest.holds ?? 0} holds so far)` : 'the server acknowledges more slowly than requested (CPU busy)';
    return `running at ${speedX.toFixed(0)}x of ${c.speed}x requested: ${why}`;
  }

  private showLevels(): void {
    const info = this.infos.get(this.el.recording.value);
    const levels = info?.levels ?? [];
    this.el.level.replaceChildren(new Option('from the start', '0'), ...levels.map((l) => new Option(`${l.normalStressMPa} MPa (from ${l.startS.toFixed(0)} s)`, String(l.startS))));
    this.el.level.disabled = levels.length < 2;
    this.el.seek.max = String(info?.durationS ?? '');
  }

  /** One checkbox per model of the chosen preset, all checked: the session predicts with the checked ones. */
  private showModels(): void {
    const legend = this.el.models.querySelector('legend')!;
    const boxes = this.models
      .filter((m) => m.preset === this.el.preset.value)
      .map((m) => {
        const label = document.createElement('label');
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.checked = true;
        box.value = m.name;
        label.append(box, `${m.target}: ${m.name}`);
        return label;
      });
    this.el.models.replaceChildren(legend, ...boxes);
  }

  private chosenModels(): string[] {
    return Array.from(this.el.models.querySelectorAll<HTMLInputElement>('input[type=checkbox]'))
      .filter((b) => b.checked)
      .map((b) => b.value);
  }

  private levelStartS(): number {
    return Number(this.el.level.value) || 0;
  }

  private async start(fromS: number): Promise<void> {
    this.el.error.textContent = '';
    if (this.models.length > 0 && this.chosenModels().length === 0) {
      this.el.error.textContent = 'choose at least one model';
      return;
    }
    try {
      if (this.current) await this.control('stop');
      const speed = this.el.speed.value === 'max' ? 'max' : Number(this.el.speed.value);
      await json('/replay', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ recording: this.el.recording.value, speed, fromS, ...(this.el.preset.value ? { preset: this.el.preset.value } : {}), ...(this.chosenModels().length ? { models: this.chosenModels() } : {}) }),
      });
      await this.refresh();
    } catch (e) {
      this.el.error.textContent = (e as Error).message;
    }
  }

  async pauseResume(): Promise<void> {
    if (this.current) await this.control(this.current.state === 'paused' ? 'resume' : 'pause');
  }

  private async control(action: 'pause' | 'resume' | 'stop'): Promise<void> {
    if (!this.current) return;
    try {
      await json(`/replay/${encodeURIComponent(this.current.id)}/${action}`, { method: 'POST' });
      await this.refresh();
    } catch (e) {
      this.el.error.textContent = (e as Error).message;
    }
  }
}
