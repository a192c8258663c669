/* osx-report: applies the remembered theme before the page is drawn (loaded in <head>).
   Without a remembered choice the stylesheet follows the system setting. */
(function () {
  'use strict';
  try {
    var t = window.localStorage.getItem('osx-report-theme');
    if (t === 'light' || t === 'dark') {
      document.documentElement.setAttribute('data-theme', t);
    }
  } catch (e) {
    /* storage unavailable: follow the system setting */
  }
})();
