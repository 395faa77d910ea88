/* Kringla & Co. visit counter: a first-party opt-in script. The page marks it
   <script type="text/plain" data-consent="analytics">, so it only runs after
   the visitor allows statistics. It sets no cookies and sends nothing. */
(function () {
  'use strict';

  function run() {
    var el = document.getElementById('visit-counter');
    if (!el) return;
    el.textContent = 'Analytics enabled';
    el.setAttribute('data-state', 'enabled');
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', run);
  } else {
    run();
  }
})();
