/** terraform/pins.yaml: every chart, image and provider version `make apply` depends on, in one place. */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { UserError } from '../../errors.js';

export const PINS_FILE = 'pins.yaml';

const version = z.union([z.string(), z.number()]).transform(String);
const schema = z.object({
  providers: z.record(z.string(), z.object({ version, confirmed: z.string().optional() })),
  charts: z.record(
    z.string(),
    z.object({
      repository: z.string().url(),
      chart: z.string().min(1),
      version,
      digest: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
      confirmed: z.string().optional(),
      images: z.array(z.string().min(1)).default([]),
    }),
  ),
  images: z.record(z.string(), z.object({ image: z.string().min(1), confirmed: z.string().optional() })),
});

export interface ChartPin {
  /** Key under charts: in pins.yaml (the add-on). */
  name: string;
  repository: string;
  chart: string;
  version: string;
  digest?: string;
}

export interface ImagePin {
  image: string;
  /** Where it is pinned: charts.<name>.images or images.<name>. */
  pinnedAt: string;
}

export interface ProviderPin {
  source: string;
  version: string;
}

export interface Pins {
  file: string;
  providers: ProviderPin[];
  charts: ChartPin[];
  images: ImagePin[];
}

export function parsePins(text: string, file: string): Pins {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new UserError(`${file} is not YAML: ${(error as Error).message.split('\n')[0]}`, {
      hint: 'fix the YAML syntax; see the comments at the top of terraform/pins.yaml',
    });
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new UserError(`${file}: ${issue.path.join('.') || '(top)'}: ${issue.message}`, {
      hint: 'see the comments at the top of terraform/pins.yaml',
    });
  }
  const pins = result.data;
  const images: ImagePin[] = [];
  for (const [name, chart] of Object.entries(pins.charts))
    for (const image of chart.images) images.push({ image, pinnedAt: `charts.${name}.images` });
  for (const [name, { image }] of Object.entries(pins.images)) images.push({ image, pinnedAt: `images.${name}` });
  return {
    file,
    providers: Object.entries(pins.providers).map(([source, p]) => ({ source, version: p.version })),
    charts: Object.entries(pins.charts).map(([name, c]) => ({
      name,
      repository: c.repository,
      chart: c.chart,
      version: c.version,
      digest: c.digest,
    })),
    images,
  };
}

export async function readPins(file: string): Promise<Pins> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EISDIR' ? 'it is a folder, not a file' : code === 'ENOENT' ? 'it does not exist' : (code ?? (error as Error).message);
    throw new UserError(`cannot read ${file}: ${why}`, {
      hint:
        code === 'EISDIR'
          ? 'pass the pins file itself with --pins, e.g. terraform/pins.yaml'
          : 'run from the pi-cluster folder, or pass --terraform-dir',
    });
  }
  return parsePins(text, file);
}
