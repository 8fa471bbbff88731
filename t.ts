import { buildCluster } from './src/cluster/build.js';
const objects: unknown[] = [];
for (let i = 0; i < 100_000; i++) objects.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}` }, spec: { type: i < 20000 ? 'NodePort' : 'ClusterIP', selector: { app: `none-${i}` }, ports: [{ port: 80 }] } });
const docs = objects.map((doc, index) => ({ file: 't.yaml', index, doc }));
for (let k = 0; k < 4; k++) { const t = performance.now(); buildCluster(docs, { nodes: 10, nodePortRange: '20000-59999' }); console.log('build', performance.now() - t); }
