// The playground: runs the real `ticklab` (ticklab.js, the command line compiled to
// WebAssembly) on the program in the editor and shows its --format html lab page here.
// The address keeps the choices: index.html?program=kitchen&cores=3&policy=rr&quantum=2&run
// runs at once (#tick=N then picks the lab's tick).
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var programs = window.ticklabPrograms || {};
  var example = $('example'), source = $('source'), status = $('status'), result = $('result');

  // One engine for the page, made once (compiling the WebAssembly is the slow part); each
  // command is a fresh call of its main(). Should one ever fail badly, the next command gets a
  // new engine.
  var sink = { out: [], err: [] };
  var engine = null;
  function getEngine() {
    // Built with synchronous compilation, createTicklab returns the engine itself.
    if (!engine) engine = Promise.resolve(createTicklab({
      print: function (line) { sink.out.push(line); },
      printErr: function (line) { sink.err.push(line); }
    }));
    return engine;
  }

  // Runs `ticklab ARGS` in /work, with the editor's program there as NAME.tl when it is not
  // the bundled one as bundled; resolves to { code, out, err }.
  function ticklab(args, program) {
    return getEngine().then(function (module) {
      sink.out = [];
      sink.err = [];
      try { module.FS.mkdir('/work'); } catch (e) { /* there already */ }
      module.FS.chdir('/work');
      if (program) module.FS.writeFile(program.name + '.tl', program.text);
      var code;
      try {
        code = module.callMain(args);
      } catch (e) {
        engine = null;
        // exit() inside the engine ends the program with its code.
        if (e && typeof e.status === 'number') code = e.status; else throw e;
      }
      return { code: code, out: sink.out.join('\n') + (sink.out.length ? '\n' : ''), err: sink.err.join('\n') };
    });
  }

  // A bundled program left as it is runs as itself (`ticklab run kitchen`); an edited one from
  // a file named after it, so that its errors read kitchen-edited.tl:3:13.
  function edited() { return source.value !== programs[example.value]; }
  function programName() { return (example.value || 'program') + (edited() ? '-edited' : ''); }

  function options(format) {
    var args = ['run', edited() ? programName() + '.tl' : example.value, '--cores', $('cores').value, '--scheduler', $('policy').value,
      '--quantum', $('quantum').value, '--switch-cost', $('switch').value, '--format', format];
    if (format === 'html') args.push('--lang', $('lang').value);
    var extra = $('extra').value.trim();
    if (extra) args = args.concat(extra.split(/\s+/));
    return args;
  }

  function remember() {
    var query = '?program=' + encodeURIComponent(example.value) + '&cores=' + $('cores').value + '&policy=' +
      encodeURIComponent($('policy').value) + '&quantum=' + $('quantum').value + '&lang=' + $('lang').value;
    try { history.replaceState(null, '', query + location.hash); } catch (e) { /* file URLs may refuse */ }
  }

  var styled = false;
  function showPage(html) {
    var page = new DOMParser().parseFromString(html, 'text/html');
    if (!styled) {
      var style = document.createElement('style');
      style.id = 'lab-style';
      style.textContent = page.querySelector('style').textContent.replace(/(^|\n)body\{[^}]*\}/, '');
      document.head.appendChild(style);
      styled = true;
    }
    while (result.firstChild) result.removeChild(result.firstChild);
    var lab = document.importNode(page.querySelector('.lab'), true);
    var data = document.createElement('script');
    data.type = 'application/json';
    data.id = 'ticklab-data';
    data.textContent = page.getElementById('ticklab-data').textContent;
    result.appendChild(lab);
    result.appendChild(data);
    window.ticklabLab(result);
  }

  function showErrors(text) {
    while (result.firstChild) result.removeChild(result.firstChild);
    var pre = document.createElement('pre');
    pre.className = 'errors';
    pre.textContent = text;
    result.appendChild(pre);
  }

  function run(format) {
    remember();
    status.textContent = 'running…';
    var started = Date.now();
    var program = edited() ? { name: programName(), text: source.value } : null;
    return ticklab(options(format), program).then(function (answer) {
      var seconds = ((Date.now() - started) / 1000).toFixed(2);
      status.textContent = 'ticklab exited with ' + answer.code + ' after ' + seconds + ' s' + (answer.err ? ': ' + answer.err.split('\n')[0] : '');
      status.setAttribute('data-exit', String(answer.code));
      if (!answer.out) { showErrors(answer.err); return; }
      if (format === 'html') showPage(answer.out);
      else {
        while (result.firstChild) result.removeChild(result.firstChild);
        var pre = document.createElement('pre');
        pre.className = 'json';
        pre.textContent = answer.out;
        result.appendChild(pre);
      }
    }).catch(function (error) {
      status.textContent = 'the engine failed: ' + error;
    });
  }

  Object.keys(programs).forEach(function (name) {
    var option = document.createElement('option');
    option.value = name;
    option.textContent = name;
    example.appendChild(option);
  });
  example.addEventListener('change', function () { source.value = programs[example.value] || ''; });
  $('run').addEventListener('click', function () { run('html'); });
  $('json').addEventListener('click', function () { run('json'); });

  var query = new URLSearchParams(location.search);
  example.value = programs[query.get('program')] !== undefined ? query.get('program') : (programs.kitchen !== undefined ? 'kitchen' : Object.keys(programs)[0]);
  source.value = programs[example.value] || '';
  ['cores', 'quantum', 'lang'].forEach(function (key) { if (query.get(key)) $(key).value = query.get(key); });
  if (query.get('source') !== null) source.value = query.get('source');

  // The policies, as the engine lists them (`ticklab schedulers`).
  ticklab(['schedulers']).then(function (answer) {
    var notes = {};
    answer.out.split('\n').forEach(function (line) {
      var match = /^(\S+)\s{2,}(.*)$/.exec(line);
      if (!match) return;
      var option = document.createElement('option');
      option.value = match[1];
      option.textContent = match[1];
      notes[match[1]] = match[2];
      $('policy').appendChild(option);
    });
    $('policy').value = query.get('policy') && notes[query.get('policy')] ? query.get('policy') : 'rr';
    var note = function () { $('policy-note').textContent = notes[$('policy').value] || ''; };
    $('policy').addEventListener('change', note);
    note();
    status.textContent = 'ready';
    if (query.has('run')) run(query.get('run') === 'json' ? 'json' : 'html');
  }).catch(function (error) {
    status.textContent = 'the engine did not load: ' + error;
  });
})();
