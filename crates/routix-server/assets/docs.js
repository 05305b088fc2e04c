// Renders /api/v1/openapi.json as a readable list of endpoints, grouped by tag.
(async function () {
  const root = document.getElementById('root');
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    for (const c of children) node.append(c);
    return node;
  };
  let spec;
  try {
    spec = await (await fetch('/api/v1/openapi.json')).json();
  } catch (e) {
    root.textContent = 'Could not load the API description: ' + e;
    return;
  }
  const resolve = (schema) => {
    if (schema && schema.$ref) {
      const name = schema.$ref.split('/').pop();
      return { name, schema: spec.components.schemas[name] };
    }
    return { name: null, schema };
  };
  const show = (schema) => JSON.stringify(resolve(schema).schema, null, 2);
  const groups = {};
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags && op.tags[0]) || 'other';
      (groups[tag] = groups[tag] || []).push({ path, method, op });
    }
  }
  root.textContent = '';
  for (const [tag, ops] of Object.entries(groups)) {
    root.append(el('h2', {}, tag));
    for (const { path, method, op } of ops) {
      const summary = el('summary', {}, el('span', { class: 'm ' + method }, method), el('code', {}, path));
      if (op.security) summary.append(el('span', { class: 'lock' }, 'bearer token'));
      const body = el('div', { class: 'body' });
      if (op.description || op.summary) body.append(el('p', {}, op.summary || op.description));
      if (op.parameters) {
        const t = el('table');
        for (const p of op.parameters) {
          t.append(el('tr', {}, el('td', {}, el('code', {}, p.name)), el('td', {}, p.in), el('td', {}, p.description || '')));
        }
        body.append(el('h4', {}, 'Parameters'), t);
      }
      if (op.requestBody) {
        body.append(el('h4', {}, 'Request body'));
        for (const [type, media] of Object.entries(op.requestBody.content)) {
          body.append(el('div', {}, el('code', {}, type)), el('pre', {}, show(media.schema)));
        }
      }
      body.append(el('h4', {}, 'Responses'));
      for (const [status, resp] of Object.entries(op.responses || {})) {
        body.append(el('div', {}, el('strong', {}, status + ' '), resp.description || ''));
        for (const media of Object.values(resp.content || {})) {
          if (media.schema) body.append(el('pre', {}, show(media.schema)));
        }
      }
      root.append(el('details', {}, summary, body));
    }
  }
})();
