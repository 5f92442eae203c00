// Talos-style roles (Talos RBAC): the role comes from the organisation (O=) of the client certificate.
// os:reader may only read, os:operator may also reboot, os:admin may do everything, the lab's fault verbs
// included. Without TLS (loopback only) every caller is an admin, as the lab's own orchestrator is.
import type { PeerCertificate } from 'node:tls';

export type Role = 'os:reader' | 'os:operator' | 'os:admin';
const RANK: Record<Role, number> = { 'os:reader': 0, 'os:operator': 1, 'os:admin': 2 };

/** The least role each method needs, by full gRPC method name. A method missing here is refused. */
export const METHOD_ROLES: Readonly<Record<string, Role>> = {
  '/machine.MachineService/Version': 'os:reader',
  '/machine.MachineService/ServiceList': 'os:reader',
  '/machine.MachineService/EtcdMemberList': 'os:reader',
  '/upgradelab.lab.v1.Lab/Events': 'os:reader',
  '/upgradelab.lab.v1.Lab/Status': 'os:reader',
  '/upgradelab.lab.v1.Lab/EtcdHealth': 'os:reader',
  '/upgradelab.lab.v1.Lab/SlotState': 'os:reader',
  '/machine.MachineService/Reboot': 'os:operator',
  '/machine.MachineService/Upgrade': 'os:admin',
  '/machine.MachineService/Rollback': 'os:admin',
  '/machine.MachineService/Reset': 'os:admin',
  '/machine.MachineService/EtcdRemoveMemberByID': 'os:admin',
  '/machine.MachineService/EtcdLeaveCluster': 'os:admin',
  '/machine.MachineService/EtcdForfeitLeadership': 'os:admin',
  '/upgradelab.lab.v1.Lab/PowerOff': 'os:admin',
  '/upgradelab.lab.v1.Lab/PowerOn': 'os:admin',
  '/upgradelab.lab.v1.Lab/Wipe': 'os:admin',
  '/upgradelab.lab.v1.Lab/Isolate': 'os:admin',
  '/upgradelab.lab.v1.Lab/Heal': 'os:admin',
  '/upgradelab.lab.v1.Lab/FailNextBoot': 'os:admin',
};

/** The strongest role among the certificate's organisations; null when it names none. */
export function roleOfCertificate(cert: PeerCertificate | undefined): Role | null {
  const o = cert?.subject?.O;
  const orgs = Array.isArray(o) ? o : typeof o === 'string' ? [o] : [];
  let best: Role | null = null;
  for (const org of orgs) {
    if (org in RANK && (best === null || RANK[org as Role] > RANK[best])) best = org as Role;
  }
  return best;
}

export function allowed(role: Role | null, method: string): boolean {
  const need = METHOD_ROLES[method];
  return need !== undefined && role !== null && RANK[role] >= RANK[need];
}
