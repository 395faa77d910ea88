/* Kringla & Co. site script (first-party, not a tracker): mobile navigation
   toggle and the footer year. Sets data-site-js="ready" on <html> once it ran. */
(function () {
  'use strict';
  var root = document.documentElement;
  root.classList.add('js');

  function init() {
    var toggle = document.querySelector('.nav-toggle');
    var nav = document.getElementById('site-nav');
    if (toggle && nav) {
      var setOpen = function (open) {
        toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
        nav.classList.toggle('is-open', open);
      };
      toggle.addEventListener('click', function () {
        setOpen(toggle.getAttribute('aria-expanded') !== 'true');
      });
      document.addEventListener('keydown', function (event) {
        if (event.key === 'Escape' && nav.classList.contains('is-open')) {
          setOpen(false);
          toggle.focus();
        }
      });
    }

    var years = document.querySelectorAll('[data-year]');
    for (var i = 0; i < years.length; i++) {
      years[i].textContent = String(new Date().getFullYear());
    }

    root.setAttribute('data-site-js', 'ready');
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
