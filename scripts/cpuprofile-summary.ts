/**
 * `node dist/scripts/cpuprofile-summary.js <file.cpuprofile> [top] [fromS] [toS]`: where a
 * `node --cpu-prof` profile spent its time, as two tables — self time and inclusive (total) time
 * per function (name, file, line) — and self time per file, each as a share of the samples between
 * `fromS` and `toS` seconds into the profile (all by default). A timeline of busy (non-idle) share
 * per second comes first, to find a phase's window: a bench phase whose load runs in the bench
 * process (the raw baselines) shows as an idle gap. Inclusive time counts a function once per
 * sample even when it recurses. Used to profile the server under one
 * bench phase (`BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=…' npm run bench -- --only …`).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A readable place: the path from the package or project folder on, 1-based line. */
function where(frame: ProfileNode['callFrame']): string {
  const url = frame.url.replace(/^file:\/\//, '');
  const modules = url.lastIndexOf('node_modules/');
  const short = modules >= 0 ? url.slice(modules + 'node_modules/'.length) : url.replace(/^.*\/dist\//, '');
  return short === '' ? '(native)' : `${short}:${frame.lineNumber + 1}`;
}

function fileOf(frame: ProfileNode['callFrame']): string {
  const url = frame.url.replace(/^file:\/\//, '');
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return `${rest[0]?.startsWith('@') === true ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? '')} (package)`;
  }
  return url === '' ? '(native / vm)' : url.replace(/^.*\/dist\//, '');
}

/** Busy share per second: where the phases are. */
function timeline(profile: CpuProfile, idle: ReadonlySet<number>): void {
  const busy: number[] = [];
  const all: number[] = [];
  let at = 0;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    const second = Math.floor(at / 1e6);
    all[second] = (all[second] ?? 0) + (profile.timeDeltas[i] ?? 0);
    if (!idle.has(id)) busy[second] = (busy[second] ?? 0) + (profile.timeDeltas[i] ?? 0);
  });
  const cells = all.map((total, second) => `${second}:${Math.round(((busy[second] ?? 0) / (total || 1)) * 100)}`);
  console.log(`busy % per second: ${cells.join(' ')}`);
}

function summarise(profile: CpuProfile, top: number, fromS: number, toS: number): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const files = new Map<string, number>();
  timeline(profile, new Set(profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').map((node) => node.id)));
  let all = 0;
  let at = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    at += ms;
    if (at < fromS * 1000 || at > toS * 1000) return;
    all += ms;
    const node = byId.get(id);
    if (!node) return;
    const key = `${node.callFrame.functionName || '(anonymous)'}  ${where(node.callFrame)}`;
    self.set(key, (self.get(key) ?? 0) + ms);
    files.set(fileOf(node.callFrame), (files.get(fileOf(node.callFrame)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame) break;
      const name = `${frame.functionName || '(anonymous)'}  ${where(frame)}`;
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + ms);
    }
  });
  const print = (title: string, table: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [name, ms] of [...table].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${((ms / all) * 100).toFixed(1).padStart(6)}%  ${ms.toFixed(0).padStart(7)} ms  ${name}`);
    }
  };
  console.log(`${(all / 1000).toFixed(1)} s sampled between ${fromS} s and ${Number.isFinite(toS) ? `${toS} s` : 'the end'}`);
  print('self time by function', self);
  print('self time by file or package', files);
  print('inclusive time by function', total);
}

const [file, top = '30', fromS = '0', toS = 'Infinity'] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: node dist/scripts/cpuprofile-summary.js <file.cpuprofile> [top] [fromS] [toS]');
  process.exit(2);
}
summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(top), Number(fromS), Number(toS));
