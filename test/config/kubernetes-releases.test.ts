// The one table of Kubernetes versions (ansible/playbooks/group_vars/all/kubernetes_releases.yml) and what reads it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  alpineBranchesWith,
  EOL_WARNING_DAYS,
  kubeMinorOfAlpine,
  kubernetesReleases,
  supportNotice,
} from '../../src/config/kubernetes-releases.js';
import { compareVersions } from '../../src/versions.js';
import { configSchema, DEFAULT_ALPINE_VERSION } from '../../src/config/schema.js';
import { kubernetesSupport } from '../../src/doctor/checks.js';

/** The day the table and the defaults were last checked against Alpine's index and kubernetes.io. */
const REVIEWED = new Date('2026-11-30T00:00:00Z');

describe('the Kubernetes version table', () => {
  const table = kubernetesReleases();

  it('every Alpine branch carries a minor with an end-of-life date, newer branches never an older minor', () => {
    const branches = Object.keys(table.alpine).sort(compareVersions);
    assert.ok(branches.length >= 4);
    for (const branch of branches)
      assert.ok(table.end_of_life[table.alpine[branch]!], `${branch} -> ${table.alpine[branch]} has no end-of-life date`);
    for (let i = 1; i < branches.length; i++)
      assert.ok(
        compareVersions(table.alpine[branches[i]!]!, table.alpine[branches[i - 1]!]!) >= 0,
        `${branches[i]} carries an older minor than ${branches[i - 1]}`,
      );
  });

  it('end-of-life dates come in the order of the minors', () => {
    const minors = Object.keys(table.end_of_life).sort(compareVersions);
    for (let i = 1; i < minors.length; i++)
      assert.ok(table.end_of_life[minors[i]!]! > table.end_of_life[minors[i - 1]!]!, `${minors[i]} ends before ${minors[i - 1]}`);
  });

  it('the default Alpine release carries the default minor, which was supported when the table was reviewed', () => {
    assert.equal(configSchema.parse({}).alpine.version, DEFAULT_ALPINE_VERSION);
    assert.equal(kubeMinorOfAlpine(DEFAULT_ALPINE_VERSION), table.default_minor);
    assert.equal(
      supportNotice(table.default_minor, REVIEWED),
      undefined,
      `${table.default_minor} must be more than ${EOL_WARNING_DAYS} days from its end of life`,
    );
    // The default is the newest branch whose minor is supported.
    const newest = Object.keys(table.alpine).sort(compareVersions).pop()!;
    assert.equal(DEFAULT_ALPINE_VERSION.split('.').slice(0, 2).join('.'), newest);
  });

  it('finds the branches that carry a minor', () => {
    assert.deepEqual(alpineBranchesWith('1.36'), ['3.24']);
    assert.deepEqual(alpineBranchesWith('1.35'), []);
  });
});

describe('end-of-life notices', () => {
  it('past its end of life: a warning naming the date and the upgrade', () => {
    const notice = supportNotice('1.34.2', REVIEWED);
    assert.equal(notice?.severity, 'warn');
    assert.match(notice!.problem, /Kubernetes 1\.34 reached its end of life on 2026-10-27/);
    assert.match(notice!.fix, /upgrade to Kubernetes 1\.36 \(Alpine 3\.24/);
  });

  it(`within ${EOL_WARNING_DAYS} days of it: a warning with the days left`, () => {
    const notice = supportNotice('1.36', new Date('2027-05-20T00:00:00Z'));
    assert.match(notice!.problem, /Kubernetes 1\.36 reaches its end of life on 2027-06-28 \(in 39 days\)/);
  });

  it('further away: nothing', () => {
    assert.equal(supportNotice('1.36.1', REVIEWED), undefined);
    assert.equal(supportNotice('1.36', new Date('2027-04-28T00:00:00Z')), undefined);
  });

  it("doctor reports the configured release's Kubernetes and its support", async () => {
    const versionOf = async () => undefined;
    const ok = await kubernetesSupport({ config: configSchema.parse({}), versionOf, today: REVIEWED });
    assert.equal(ok.status, 'ok');
    assert.match(ok.detail, /Kubernetes 1\.36 \(Alpine 3\.24\.2\), supported until 2027-06-28/);
    const old = await kubernetesSupport({ config: configSchema.parse({ alpine: { version: '3.23.0' } }), versionOf, today: REVIEWED });
    assert.equal(old.status, 'warn');
    assert.match(old.detail, /1\.34 reached its end of life/);
  });
});

describe('alpine.version in pi-cluster.yaml', () => {
  it('takes a release or a branch', () => {
    assert.equal(configSchema.parse({ alpine: { version: '3.24' } }).alpine.version, '3.24');
    assert.equal(configSchema.parse({ alpine: { version: '3.22.0' } }).alpine.version, '3.22.0');
  });

  it('refuses a release whose kubeadm cannot read the v1beta4 config', () => {
    const result = configSchema.safeParse({ alpine: { version: '3.20.3' } });
    assert.equal(result.success, false);
    assert.match(JSON.stringify(result.error?.issues), /older than Alpine 3\.21: its kubeadm cannot read the v1beta4 config/);
  });
});
