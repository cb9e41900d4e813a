// Injected by `disclose serve` only: reloads on rebuild and shows rule errors over the page.
// The status request is a long poll: the server answers as soon as anything changes, so a
// rebuild reaches the page at once, not at the next tick of a timer.
(function () {
  var script = document.currentScript;
  var version = script && script.dataset.version ? Number(script.dataset.version) : null;
  var seq = -1;
  function overlay(problems) {
    var box = document.getElementById("disclose-problems");
    if (!problems.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "disclose-problems";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:50vh;overflow:auto;" +
        "background:#fff3f3;color:#5c0011;border-top:4px solid #a8071a;padding:1rem;font:16px/1.5 monospace;z-index:99999";
      document.body.appendChild(box);
    }
    box.textContent = "";
    var head = document.createElement("strong");
    head.textContent = "内容有错误，预览显示的是上一次成功的构建：";
    box.appendChild(head);
    problems.forEach(function (line) {
      var p = document.createElement("div"); p.textContent = line; box.appendChild(p);
    });
  }
  function poll() {
    fetch("/__disclose/status?seq=" + seq, {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (version !== null && s.version !== version) { location.reload(); return; }
      version = s.version;
      seq = s.seq;
      overlay(s.problems);
      poll();
    }).catch(function () { setTimeout(poll, 1000); });  // the server is restarting: ask again shortly
  }
  poll();
})();
