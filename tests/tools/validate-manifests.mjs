// Validates Kubernetes objects against the upstream OpenAPI schemas, using the npm package kubernetes-models
// (and @kubernetes-models/prometheus-operator for ServiceMonitor and PrometheusRule).
// Usage: node validate-manifests.mjs objects.json   (a JSON array of objects)
// Prints one line per object ("ok Kind/name" or "invalid Kind/name: reason") and exits 1 when any is invalid
// or of a kind it has no model for.
import { readFileSync } from "node:fs";

const objects = JSON.parse(readFileSync(process.argv[2], "utf8"));
let failures = 0;
for (const object of objects) {
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["", object.apiVersion];
  const label = `${object.kind}/${object.metadata?.name}`;
  const module = group === "monitoring.coreos.com"
    ? `@kubernetes-models/prometheus-operator/${group}/${version}/${object.kind}`
    : `kubernetes-models/${group === "" ? "" : group + "/"}${version}/${object.kind}`;
  try {
    const Model = (await import(module))[object.kind];
    new Model(object).validate();
    console.log(`ok ${label}`);
  } catch (error) {
    failures++;
    console.log(`invalid ${label}: ${error.message}`);
  }
}
process.exit(failures > 0 ? 1 : 0);
