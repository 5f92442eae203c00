// Colours: the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies), with one
// meaning per hue where possible: vermillion is always "bad" (lost quorum, boot failure, violation, failed
// write), bluish green always "good" (running, Ready, quorum held, voter).
export const OKABE_ITO = {
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
  black: '#000000',
} as const;

const GREY = '#BBBBBB';
const DARK_GREY = '#777777';
const o = OKABE_ITO;

export const STAGE_COLOURS: Record<string, string> = {
  off: GREY,
  firmware: o.yellow,
  kernel: o.orange,
  init: o.skyBlue,
  running: o.bluishGreen,
  rebooting: o.reddishPurple,
  bootFailed: o.vermillion,
};

export const STEP_COLOURS: Record<string, string> = {
  request: o.skyBlue,
  prechecks: o.skyBlue,
  accepted: o.skyBlue,
  cordon: o.orange,
  drain: o.orange,
  'stop-services': o.reddishPurple,
  'leave-etcd': o.reddishPurple,
  'leave-etcd-retry': o.vermillion,
  install: o.blue,
  flip: o.yellow,
  reboot: DARK_GREY,
};

export const ETCD_COLOURS: Record<string, string> = {
  voter: o.bluishGreen,
  'voter (stopped)': '#99D8C4',
  learner: o.skyBlue,
  'learner (stopped)': '#BBE1F6',
  'crash-looping': o.vermillion,
};

export const QUORUM_COLOURS: Record<string, string> = {
  held: o.bluishGreen,
  lost: o.vermillion,
  forming: GREY,
};

/** Versions in order of first appearance get these (the first is usually the starting version). */
const VERSION_COLOURS = ['#9DB9D3', o.blue, o.orange, o.reddishPurple, o.skyBlue, o.yellow];

export const OTHER = DARK_GREY;
export const READY = o.bluishGreen;
export const META_PENDING = o.yellow;
export const MEMBERS = '#D9D9D9';
export const WRITE_OK = o.blue;
export const WRITE_FAILED = o.vermillion;
export const FAULT = o.reddishPurple;
export const PARTITION = o.orange;
export const VIOLATION = o.vermillion;
export const LEADER = o.black;

export function versionColour(versionsSeen: string[], value: string): string {
  // value is "A v1.8.0": the slot, then the version.
  const version = value.split(' ')[1] ?? value;
  let i = versionsSeen.indexOf(version);
  if (i === -1) i = versionsSeen.push(version) - 1;
  return VERSION_COLOURS[i % VERSION_COLOURS.length]!;
}

/** Text colour readable on a fill (black on light fills, white on dark ones). */
export function textOn(fill: string): string {
  const n = parseInt(fill.slice(1), 16);
  const r = (n >> 16) & 255;
  const g = (n >> 8) & 255;
  const b = n & 255;
  return 0.299 * r + 0.587 * g + 0.114 * b > 140 ? '#000000' : '#FFFFFF';
}
