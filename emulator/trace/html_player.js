// The lab page's player (ticklab --format html). It only looks up, at the current tick, what
// the embedded data (built by emulator/trace/html.cpp) says: it decides nothing about the run.
// No network, no libraries; it runs from a file. window.ticklabLab(root) mounts a page's
// .lab element (the playground calls it on the pages it makes).
(function () {
  'use strict';

  // The last entry of a list sorted by its first element whose first element is <= t.
  function lastAtOrBefore(list, t) {
    var lo = 0, hi = list.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (list[mid][0] <= t) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found < 0 ? null : list[found];
  }

  // The [start, end, ...] entry covering tick t, or null.
  function covering(list, t) {
    var entry = lastAtOrBefore(list, t);
    return entry && entry[1] > t ? entry : null;
  }

  function bytes(n) {
    var k = 1024;
    if (n >= k * k * k && n % (k * k * k) === 0) return n / (k * k * k) + 'G';
    if (n >= k * k && n % (k * k) === 0) return n / (k * k) + 'M';
    if (n >= k && n % k === 0) return n / k + 'K';
    return n + ' bytes';
  }

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    for (var key in attributes) if (Object.prototype.hasOwnProperty.call(attributes, key)) node.setAttribute(key, attributes[key]);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function chip(thread, extra) {
    var node = el('span', { 'class': 'chip', 'style': 'background:' + thread.colour }, thread.letter + ' ' + thread.name);
    if (extra) node.appendChild(document.createTextNode(' ' + extra));
    return node;
  }

  function mount(lab, data) {
    var words = data.words;
    var end = data.end;
    var tick = 0;
    var timer = null;
    var delay = 250;
    lab.classList.add('js');
    var slider = lab.querySelector('.controls input[type=range]');
    var shown = lab.querySelector('.controls output');
    var playButton = lab.querySelector('.controls [data-do=play]');
    var panel = lab.querySelector('.now');
    var svg = lab.querySelector('svg.chart');
    var left = svg ? parseFloat(svg.getAttribute('data-left')) : 0;
    var width = svg ? parseFloat(svg.getAttribute('data-tick')) : 1;

    function stateWord(code) { return words['state.' + code] || code; }

    function stateAt(run, thread, t) {
      if (t >= run.end) return run.finals[thread];
      var span = covering(run.states[thread], t);
      return span ? [span[2], span[3]] : ['new', ''];
    }

    function section(box, title) {
      box.appendChild(el('dt', {}, title));
      var dd = el('dd');
      box.appendChild(dd);
      return dd;
    }

    function moment(run, t) {
      var box = el('div', { 'class': 'moment', 'data-run': String(run.index) });
      var ended = t >= run.end;
      var at = Math.min(t, run.end);
      box.appendChild(el('h3', {}, (run.label ? run.label + ': ' : '') + words.tick + ' ' + t + (ended ? ' (' + words.ended + ')' : '')));
      var list = el('dl');
      box.appendChild(list);

      var cores = section(list, words.cores);
      run.slices.forEach(function (lane, core) {
        var line = el('div', { 'class': 'core', 'data-core': String(core) });
        line.appendChild(document.createTextNode(words.core + ' ' + core + ': '));
        var slice = ended ? null : covering(lane, at);
        if (!slice) {
          line.appendChild(el('span', { 'class': 'running', 'data-thread': '' }, words.idle));
        } else {
          var thread = run.threads[slice[2]];
          var name = el('span', { 'class': 'running', 'data-thread': thread.name }, '');
          name.appendChild(chip(thread));
          line.appendChild(name);
          var what = slice[3] === 'switch' ? stateWord('switch') : slice[4].replace('{}', String(at + slice[5]));
          if (slice[3] === 'stall') what += ' (' + stateWord('stall') + ')';
          line.appendChild(document.createTextNode(' ' + what));
        }
        cores.appendChild(line);
      });

      var queues = section(list, words.ready);
      var snapshot = lastAtOrBefore(run.queues, at);
      var any = false;
      (snapshot ? snapshot[1] : []).forEach(function (queue) {
        var line = el('div', { 'class': 'queue', 'data-queue': queue[0] });
        if (queue[0]) line.appendChild(document.createTextNode(queue[0] + ': '));
        if (!queue[1].length) line.appendChild(document.createTextNode(words.empty));
        queue[1].forEach(function (id) { line.appendChild(chip(run.threads[id])); });
        line.setAttribute('data-threads', queue[1].map(function (id) { return run.threads[id].name; }).join(' '));
        any = any || queue[1].length > 0;
        queues.appendChild(line);
      });
      if (!snapshot || !snapshot[1].length) queues.appendChild(el('div', { 'class': 'queue', 'data-queue': '', 'data-threads': '' }, words.empty));

      var threads = section(list, words.threads);
      run.threads.forEach(function (thread, id) {
        var state = stateAt(run, id, at);
        var line = el('div', { 'class': 'thread', 'data-thread': thread.name, 'data-state': state[0] });
        line.appendChild(chip(thread));
        line.appendChild(document.createTextNode(' ' + stateWord(state[0]) + (state[1] ? ' (' + state[1] + ')' : '')));
        threads.appendChild(line);
      });

      if (run.variables.length) {
        var variables = section(list, words.variables);
        var processes = {};
        run.variables.forEach(function (v) { processes[v.process] = true; });
        var several = Object.keys(processes).length > 1;
        run.variables.forEach(function (v) {
          var write = lastAtOrBefore(v.writes, at);
          var value = write ? write[1] : v.initial;
          var name = several ? v.process + '.' + v.name : v.name;
          var line = el('div', { 'class': 'variable', 'data-var': name, 'data-value': String(value) }, name + ' = ' + value);
          if (write && write[0] === at) line.appendChild(document.createTextNode(' \u2190 ' + run.threads[write[2]].name));
          variables.appendChild(line);
        });
      }

      if (run.mutexes.length) {
        var mutexes = section(list, words.mutexes);
        run.mutexes.forEach(function (m) {
          var holder = lastAtOrBefore(m.holders, at);
          var id = holder ? holder[1] : -1;
          var line = el('div', { 'class': 'mutex', 'data-mutex': m.name, 'data-holder': id >= 0 ? run.threads[id].name : '' });
          line.appendChild(document.createTextNode(m.name + ': '));
          if (id >= 0) { line.appendChild(document.createTextNode(words.heldBy + ' ')); line.appendChild(chip(run.threads[id])); }
          else line.appendChild(document.createTextNode(words.free));
          run.threads.forEach(function (thread, t2) {
            var state = stateAt(run, t2, at);
            if (state[0] === 'lock' && state[1].indexOf(m.name + ' ') === 0)
              line.appendChild(document.createTextNode(' \u2190 ' + thread.name + ' ' + words.waiting));
          });
          mutexes.appendChild(line);
        });
      }

      if (run.watchesBus || run.bus.length) {
        var bus = section(list, words.bus);
        var use = lastAtOrBefore(run.bus, at);
        var text = words.noBus;
        if (use && use[0] === at && !ended) {
          text = words.granted + ' ' + use[1] + '/' + run.bandwidth;
          if (use[2]) text += ', ' + use[2] + ' ' + words.devices;
          if (use[3]) text += ', ' + use[3] + ' ' + words.loadingBus;
          if (use[4]) text += '; ' + use[4] + ' ' + words.waiting;
        }
        bus.appendChild(el('div', { 'class': 'bus', 'data-granted': use && use[0] === at ? String(use[1]) : '0' }, text));
      }

      var ram = section(list, words.ramMap);
      var held = run.processes.filter(function (p) {
        return p.base >= 0 && p.allocated <= at && (p.freed < 0 || p.freed > at);
      }).sort(function (a, b) { return a.base - b.base; });
      var address = 0;
      var parts = [];
      held.forEach(function (p) {
        if (p.base > address) parts.push(words.free + ' ' + (address ? bytes(address) : '0') + '-' + bytes(p.base));
        var loading = p.loaded < 0 || p.loaded > at;
        parts.push(p.name + (loading ? ' (' + words.loadingRam + ')' : '') + ' ' + (p.base ? bytes(p.base) : '0') + '-' + bytes(p.base + p.memory));
        address = p.base + p.memory;
      });
      if (address < run.ram) parts.push(words.free + ' ' + (address ? bytes(address) : '0') + '-' + bytes(run.ram));
      ram.appendChild(el('div', { 'class': 'ram' }, parts.join(', ')));

      box.appendChild(el('h3', {}, words.events));
      var group = lastAtOrBefore(run.story, t);
      var story = el('ul', { 'class': 'story' });
      if (group && group[0] === t) group[1].forEach(function (sentence) { story.appendChild(el('li', {}, sentence)); });
      else story.appendChild(el('li', { 'class': 'quiet' }, words.nothing));
      box.appendChild(story);
      return box;
    }

    function show(t, fromHash) {
      tick = Math.max(0, Math.min(end, t | 0));
      if (slider) slider.value = String(tick);
      if (shown) shown.textContent = words.tick + ' ' + tick + ' / ' + end;
      if (panel) {
        while (panel.firstChild) panel.removeChild(panel.firstChild);
        data.runs.forEach(function (run) { panel.appendChild(moment(run, tick)); });
      }
      data.runs.forEach(function (run, i) {
        var cursor = lab.querySelector('#cursor-' + i);
        if (cursor) {
          cursor.setAttribute('x', String(left + Math.min(tick, run.end) * width));
          cursor.setAttribute('visibility', 'visible');
        }
        var items = lab.querySelectorAll('#story-' + i + ' > li');
        for (var k = 0; k < items.length; ++k)
          items[k].classList.toggle('current', items[k].getAttribute('data-tick') === String(tick));
      });
      lab.setAttribute('data-tick', String(tick));
      if (!fromHash) {
        var hash = '#tick=' + tick;
        try { history.replaceState(null, '', hash); } catch (e) { /* some file URLs refuse it */ }
      }
    }

    function fromHash() {
      var match = /(?:^#|&)tick=(\d+)/.exec(location.hash);
      return match ? parseInt(match[1], 10) : null;
    }

    function pause() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      if (playButton) playButton.textContent = words.play;
    }

    function play() {
      if (timer !== null) { pause(); return; }
      if (tick >= end) show(0);
      timer = setInterval(function () {
        if (tick >= end) { pause(); return; }
        show(tick + 1);
      }, delay);
      if (playButton) playButton.textContent = words.pause;
    }

    var actions = {
      first: function () { pause(); show(0); },
      back: function () { pause(); show(tick - 1); },
      step: function () { pause(); show(tick + 1); },
      last: function () { pause(); show(end); },
      play: play
    };
    Array.prototype.forEach.call(lab.querySelectorAll('.controls button[data-do]'), function (button) {
      button.addEventListener('click', function () { actions[button.getAttribute('data-do')](); });
    });
    var speed = lab.querySelector('.controls select[data-do=speed]');
    if (speed) speed.addEventListener('change', function () {
      delay = parseInt(speed.value, 10);
      if (timer !== null) { pause(); play(); }
    });
    if (slider) slider.addEventListener('input', function () { pause(); show(parseInt(slider.value, 10)); });
    document.addEventListener('keydown', function (event) {
      var target = event.target && event.target.tagName;
      if (target === 'INPUT' || target === 'TEXTAREA' || target === 'SELECT' || event.altKey || event.ctrlKey || event.metaKey) return;
      var key = { ArrowLeft: 'back', ArrowRight: 'step', Home: 'first', End: 'last', ' ': 'play' }[event.key];
      if (!key || !document.body.contains(lab)) return;
      event.preventDefault();
      actions[key]();
    });
    window.addEventListener('hashchange', function () {
      var t = fromHash();
      if (t !== null && t !== tick) { pause(); show(t, true); }
    });
    if (svg) svg.addEventListener('click', function (event) {
      var box = svg.getBoundingClientRect();
      var scale = box.width / parseFloat(svg.getAttribute('width'));
      var t = Math.floor(((event.clientX - box.left) / scale - left) / width);
      if (t >= 0) { pause(); show(t); }
    });
    var start = fromHash();
    show(start === null ? 0 : start, true);
    return { show: show };
  }

  window.ticklabLab = function (root) {
    var labs = (root || document).querySelectorAll('.lab');
    var players = [];
    Array.prototype.forEach.call(labs, function (lab) {
      var script = lab.parentNode.querySelector('script#ticklab-data') || document.getElementById('ticklab-data');
      if (script) players.push(mount(lab, JSON.parse(script.textContent)));
    });
    return players;
  };
  window.addEventListener('error', function (event) {
    document.documentElement.setAttribute('data-error', String(event.message));
  });
  if (document.getElementById('ticklab-data') && !window.ticklabPlayground) window.ticklabLab(document);
})();
