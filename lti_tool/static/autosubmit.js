/* Submit the form on load (deep-linking return, demo platform). */
(function () { var f = document.querySelector("form[data-autosubmit], #dl-return"); if (f) { f.submit(); } })();
