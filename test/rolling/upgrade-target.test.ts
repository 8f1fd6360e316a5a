// Which upgrades kubeadm can take, table-driven, against the project's real release table
// (ansible/playbooks/group_vars/all/kubernetes_releases.yml: 3.21 -> 1.31, 3.22 -> 1.33, 3.23 -> 1.34, 3.24 -> 1.36).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../src/errors.js';
import { parseVersionProbe } from '../../src/rolling/cluster-version.js';
import { upgradeTarget, type ClusterVersion } from '../../src/rolling/upgrade-target.js';

const debian = (kube: string): ClusterVersion => ({ kube, os: 'debian', osVersion: '12' });
const alpine = (kube: string, osVersion: string): ClusterVersion => ({ kube, os: 'alpine', osVersion });

describe('upgradeTarget', () => {
  const allowed: Array<[string, ClusterVersion, string, { minor: string; alpineBranch?: string; aptRepository?: string }]> = [
    [
      'Debian: the next minor',
      debian('1.34.2'),
      '1.35.0',
      { minor: '1.35', aptRepository: 'https://pkgs.k8s.io/core:/stable:/v1.35/deb/' },
    ],
    [
      'Debian: a newer patch',
      debian('v1.34.2'),
      'v1.34.5',
      { minor: '1.34', aptRepository: 'https://pkgs.k8s.io/core:/stable:/v1.34/deb/' },
    ],
    [
      'Debian: the same version (a re-run that finishes the nodes)',
      debian('1.35.0'),
      '1.35.0',
      { minor: '1.35', aptRepository: 'https://pkgs.k8s.io/core:/stable:/v1.35/deb/' },
    ],
    ['Alpine 3.22 (1.33) -> 1.34: the branch 3.23', alpine('1.33.1', '3.22.2'), '1.34.2', { minor: '1.34', alpineBranch: '3.23' }],
    ['Alpine 3.23: a newer 1.34 patch stays on 3.23', alpine('1.34.1', '3.23.0'), '1.34.2', { minor: '1.34', alpineBranch: '3.23' }],
    ['Alpine 3.23 (1.35 by hand) -> 1.36: the branch 3.24', alpine('1.35.3', '3.23.1'), '1.36.1', { minor: '1.36', alpineBranch: '3.24' }],
  ];
  for (const [name, current, to, expected] of allowed) {
    it(`allows ${name}`, () => {
      const target = upgradeTarget(current, to);
      assert.equal(target.to, to.replace(/^v/, ''));
      assert.equal(target.from, current.kube.replace(/^v/, ''));
      assert.equal(target.minor, expected.minor);
      assert.equal(target.alpineBranch, expected.alpineBranch);
      assert.equal(target.aptRepository, expected.aptRepository);
    });
  }

  const refused: Array<[string, ClusterVersion, string, RegExp, RegExp?]> = [
    [
      'two minors, naming the steps',
      debian('1.34.2'),
      '1.36.0',
      /^1\.34 -> 1\.36 is two minors: run upgrade --to 1\.35\.x first, then --to 1\.36\.x$/,
      /one minor at a time/,
    ],
    [
      'three minors',
      debian('1.33.0'),
      '1.36.1',
      /^1\.33 -> 1\.36 is three minors: run upgrade --to 1\.34\.x first, then --to 1\.35\.x, then --to 1\.36\.x$/,
    ],
    [
      'on Alpine, two minors where no branch carries the one between',
      alpine('1.34.2', '3.23.2'),
      '1.36.1',
      /^1\.34 -> 1\.36 is two minors: run upgrade --to 1\.35\.x first, then --to 1\.36\.x$/,
      /no supported Alpine branch carries 1\.35: possible from 1\.34 on Alpine 3\.23: 1\.34\.x \(Alpine 3\.23\) \(Alpine branches carry 3\.21: 1\.31, 3\.22: 1\.33, 3\.23: 1\.34, 3\.24: 1\.36\)/,
    ],
    ['a downgrade', debian('1.35.2'), '1.35.1', /^1\.35\.2 -> 1\.35\.1 is a downgrade: kubeadm upgrades only forward$/],
    ['a downgrade of a minor', debian('1.35.2'), '1.34.9', /is a downgrade/],
    [
      'on Alpine, a minor no supported branch carries, saying what is possible',
      alpine('1.31.5', '3.21.3'),
      '1.32.0',
      /^no supported Alpine branch carries Kubernetes 1\.32$/,
      /possible from 1\.31 on Alpine 3\.21: 1\.31\.x \(Alpine 3\.21\)/,
    ],
    ['not an exact version', debian('1.34.2'), '1.35', /^--to 1\.35: expected an exact version/],
  ];
  for (const [name, current, to, message, hint] of refused) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => upgradeTarget(current, to),
        (error: unknown) => error instanceof UserError && message.test(error.message) && (!hint || hint.test(error.hint ?? '')),
      );
    });
  }
});

describe('parseVersionProbe', () => {
  it('reads kubeadm and the distribution; kubelet when kubeadm is missing; nothing without either', () => {
    assert.deepEqual(parseVersionProbe('os=alpine\nos_version=3.23.2\nkubeadm=v1.34.2\nkubelet=Kubernetes v1.34.2\n'), {
      kube: '1.34.2',
      os: 'alpine',
      osVersion: '3.23.2',
    });
    assert.deepEqual(parseVersionProbe('os=raspbian\nos_version=12\nkubeadm=\nkubelet=Kubernetes v1.35.1\n'), {
      kube: '1.35.1',
      os: 'debian',
      osVersion: '12',
    });
    assert.equal(parseVersionProbe('os=debian\nos_version=12\nkubeadm=\nkubelet=\n'), undefined);
  });
});
