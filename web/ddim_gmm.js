// Sampler DDIM-GMM / RFIM-GMM: show only the widgets that take effect under the chosen preset and offset schedule.
//
// The node keeps all twelve widgets, in the same order, and saves all their values (widgets_values and the API
// prompt are unchanged, so every workflow file loads as before); a widget without effect is only hidden. Which
// widgets those are comes from the server: nodes/visibility.py puts the table in the preset input's options.

import { app } from "../../scripts/app.js";

const NODE_TYPE = "SamplerDDIMGMM";
const TABLE_KEY = "ddim_gmm_widgets_without_effect";
// The widgets whose value decides what is hidden.
const CHOOSERS = ["preset", "offset_schedule"];

// Frontend 1.27 skips a widget with `hidden` when drawing, hit-testing and sizing the node, but still lays it out at
// its full height; a zero-height computeSize closes the gap. The Vue node renderer reads options.hidden instead.
const ZERO_HEIGHT = () => [0, -4];

function setHidden(widget, hidden) {
  if (!!widget.hidden === hidden) return false;
  widget.hidden = hidden;
  widget.options = widget.options ?? {};
  widget.options.hidden = hidden;
  if (hidden) {
    widget.ddimGmmComputeSize = widget.computeSize;
    widget.computeSize = ZERO_HEIGHT;
  } else {
    widget.computeSize = widget.ddimGmmComputeSize;
    delete widget.ddimGmmComputeSize;
    if (widget.computeSize === undefined) delete widget.computeSize;
  }
  return true;
}

function widgetNamed(node, name) {
  return node.widgets?.find((widget) => widget.name === name);
}

function managedNames(table) {
  return new Set(Object.values(table).flatMap((row) => Object.values(row).flat()));
}

function updateVisibility(node, table, { fit = false } = {}) {
  const preset = widgetNamed(node, "preset")?.value;
  const schedule = widgetNamed(node, "offset_schedule")?.value;
  // An unknown value (a preset from a newer pack, say) hides nothing: the server will name the problem.
  const withoutEffect = new Set(table[preset]?.[schedule] ?? []);
  let changed = false;
  for (const widget of node.widgets ?? []) {
    // Only the widgets the table names: anything another extension hid stays as it is.
    if (!managedNames(table).has(widget.name)) continue;
    changed = setHidden(widget, withoutEffect.has(widget.name)) || changed;
  }
  if (!changed && !fit) return;
  // Fit the height to the visible widgets; keep the width the user chose.
  node.setSize([node.size[0], node.computeSize()[1]]);
  node.setDirtyCanvas?.(true, true);
}

// Every way a value changes (a click, a loaded workflow, undo, another extension) goes through the value setter.
function watchValue(widget, onChange) {
  let owner = widget;
  let descriptor;
  while (owner && !(descriptor = Object.getOwnPropertyDescriptor(owner, "value"))) owner = Object.getPrototypeOf(owner);
  if (!descriptor?.set) {
    // A plain data property (older widget implementations): fall back to the change callback.
    const callback = widget.callback;
    widget.callback = function (...args) {
      const result = callback?.apply(this, args);
      onChange();
      return result;
    };
    return;
  }
  Object.defineProperty(widget, "value", {
    configurable: true,
    enumerable: descriptor.enumerable,
    get() {
      return descriptor.get.call(this);
    },
    set(value) {
      descriptor.set.call(this, value);
      onChange();
    },
  });
}

app.registerExtension({
  name: "ddim_gmm.WidgetVisibility",
  async beforeRegisterNodeDef(nodeType, nodeData) {
    if (nodeData.name !== NODE_TYPE) return;
    const table = nodeData.input?.required?.preset?.[1]?.[TABLE_KEY];
    if (!table) return;

    const onNodeCreated = nodeType.prototype.onNodeCreated;
    nodeType.prototype.onNodeCreated = function () {
      const result = onNodeCreated?.apply(this, arguments);
      for (const name of CHOOSERS) {
        const widget = widgetNamed(this, name);
        if (widget) watchValue(widget, () => updateVisibility(this, table));
      }
      updateVisibility(this, table);
      return result;
    };

    // A loaded workflow sets the node's stored size after its values: fit again once it is configured.
    const onConfigure = nodeType.prototype.onConfigure;
    nodeType.prototype.onConfigure = function () {
      const result = onConfigure?.apply(this, arguments);
      updateVisibility(this, table, { fit: true });
      return result;
    };
  },
});
