/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The HTML page's parts, as the files in cli/view/html/ hold them: the
 * Makefile turns each into a NUL-ended byte array at build time (xxd -i),
 * so they are edited as HTML, CSS and JavaScript, not as C strings.
 */
#ifndef FS_HTML_ASSETS_H
#define FS_HTML_ASSETS_H

/* The page, with <!--@css-->, <!--@data--> and <!--@js--> where those go. */
extern const unsigned char fs_html_page_html[];
extern const unsigned char fs_html_timeline_css[];
extern const unsigned char fs_html_timeline_js[];

#endif
