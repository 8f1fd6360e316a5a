import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';

/**
 * The oldest versions pi-cluster works with, read from the files that state them for npm and for Terraform,
 * so that doctor cannot drift from them: package.json `engines.node` and `required_version` in
 * terraform/versions.tf. Both are written as ">= X.Y.Z".
 */
export interface Floors {
  node: string;
  terraform: string;
}

function lowerBound(constraint: string | undefined, where: string): string {
  const version = /^>=\s*(\d+\.\d+\.\d+)$/.exec(constraint?.trim() ?? '')?.[1];
  if (!version) throw new Error(`${where} is ${JSON.stringify(constraint)}; pi-cluster reads it as ">= X.Y.Z" (internal error)`);
  return version;
}

export function readFloors(root = packageRoot()): Floors {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines?: { node?: string } };
  const versionsTf = readFileSync(join(root, 'terraform', 'versions.tf'), 'utf8');
  return {
    node: lowerBound(manifest.engines?.node, 'package.json engines.node'),
    terraform: lowerBound(/^\s*required_version\s*=\s*"([^"]*)"/m.exec(versionsTf)?.[1], 'required_version in terraform/versions.tf'),
  };
}
