// Small helpers to build the page with DOM calls. Text is always set as text, never parsed as HTML,
// so nothing the ledger stores can inject markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    if (Array.isArray(child)) {
      append(parent, child);
    } else if (child instanceof Node) {
      parent.appendChild(child);
    } else {
      parent.appendChild(document.createTextNode(String(child)));
    }
  }
}

function assign(element, attributes) {
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name === 'class') {
      element.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
}

/** An HTML element: h('a', { href: '/x', class: 'link' }, 'text', otherNode, [more]). */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  assign(element, attributes);
  append(element, children);
  return element;
}

/** An SVG element, with the same conventions as h(). */
export function s(tag, attributes, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  assign(element, attributes);
  append(element, children);
  return element;
}

/** Replaces a node's children. */
export function replaceChildren(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}

let nextId = 0;

/** A document-unique id for aria references. */
export function uniqueId(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}
