-- Argo CD health check for directoryconnector.dev/DirectorySync (argocd-cm key
-- resource.customizations.health.directoryconnector.dev_DirectorySync). The status follows kstatus:
-- status.observedGeneration, and the conditions Ready, Reconciling and Stalled. Uses only the base library,
-- which is all Argo CD opens for a health script.
local function condition(conditions, kind)
  if conditions == nil then
    return nil
  end
  for _, c in ipairs(conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

local function message(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    return c.message
  end
  return fallback
end

if obj.spec ~= nil and obj.spec.suspend == true then
  return { status = "Suspended", message = "Syncing is suspended (spec.suspend is true)" }
end

if obj.status == nil or obj.status.observedGeneration == nil
    or (obj.metadata.generation ~= nil and obj.status.observedGeneration ~= obj.metadata.generation) then
  return { status = "Progressing", message = "Waiting for the operator to observe the latest spec change" }
end

local conditions = obj.status.conditions
local stalled = condition(conditions, "Stalled")
if stalled ~= nil and stalled.status == "True" then
  return { status = "Degraded", message = message(stalled, "Stalled") }
end

local reconciling = condition(conditions, "Reconciling")
if reconciling ~= nil and reconciling.status == "True" then
  return { status = "Progressing", message = message(reconciling, "Syncing") }
end

local ready = condition(conditions, "Ready")
if ready ~= nil and ready.status == "True" then
  return { status = "Healthy", message = message(ready, "Synced") }
end
if ready ~= nil and ready.status == "False" then
  return { status = "Degraded", message = message(ready, "Not ready") }
end

return { status = "Progressing", message = "Waiting for the first sync" }
