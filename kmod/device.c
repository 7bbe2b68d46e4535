// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/forkscope: one reader at a time. read() merges the per-CPU buffers
 * by record timestamp, so records come out in the order they happened,
 * and returns whole records only. Losses since the last read come first,
 * as FS_REC_LOST records. Readers are woken by a timer while the device is
 * open, not by every record: a wakeup per record would be charged to the
 * traced fork or exit.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/timekeeping.h>
#include <linux/timer.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "forkscope.h"

#define WAKE_PERIOD	msecs_to_jiffies(10)

static DECLARE_WAIT_QUEUE_HEAD(readers);
static DEFINE_MUTEX(read_lock);
static atomic_t opened;
static struct timer_list waker;
static u64 reported_drops[FS_REC_TYPE_MAX];
static u64 opened_at;		/* records older than this were not ours */

static void wake_readers(struct timer_list *t)
{
	if (!ring_buffer_empty(fs_buffer))
		wake_up_interruptible(&readers);
	mod_timer(&waker, jiffies + WAKE_PERIOD);
}

bool fs_reader_attached(void)
{
	return atomic_read(&opened);
}

/*
 * A new reader gets what happens from now on, and only the losses since:
 * read() skips what an earlier reader left (ring_buffer_reset() would
 * wait for an RCU grace period on every open).
 */
static int dev_open(struct inode *inode, struct file *file)
{
	unsigned int t;
	int err;

	if (atomic_cmpxchg(&opened, 0, 1))
		return -EBUSY;
	err = fs_wait_probe_register();
	if (err) {
		atomic_set(&opened, 0);
		return err;
	}
	/* After the probe is in: the session has every wait result. */
	opened_at = ktime_get_boot_fast_ns();
	for (t = 0; t < FS_REC_TYPE_MAX; t++)
		reported_drops[t] = fs_drops(t);
	mod_timer(&waker, jiffies + WAKE_PERIOD);
	return 0;
}

static int dev_release(struct inode *inode, struct file *file)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	timer_delete_sync(&waker);
#else
	del_timer_sync(&waker);	/* gone from 6.15; its new name from 6.2 */
#endif
	/* Before the next open() can register it again. */
	fs_wait_probe_unregister();
	atomic_set(&opened, 0);
	return 0;
}

/* The CPU whose next record is the oldest, or -1 when all are empty. */
static int oldest_cpu(void)
{
	u64 best = U64_MAX;
	int cpu, pick = -1;

	for_each_possible_cpu(cpu) {
		struct ring_buffer_event *ev;
		struct fs_hdr *h;
		u64 ts;

		ev = ring_buffer_peek(fs_buffer, cpu, &ts, NULL);
		if (!ev)
			continue;
		h = ring_buffer_event_data(ev);
		if (h->ts_ns < best) {
			best = h->ts_ns;
			pick = cpu;
		}
	}
	return pick;
}

/* Writes LOST records for drops not yet reported; bytes written. */
static ssize_t put_losses(char __user *buf, size_t count)
{
	ssize_t done = 0;
	unsigned int t;

	for (t = 1; t < FS_REC_TYPE_MAX; t++) {
		struct fs_rec_lost r = { 0 };
		u64 now = fs_drops(t);

		if (now == reported_drops[t])
			continue;
		if (count - done < sizeof(r))
			break;
		fs_synth_hdr(&r.hdr, FS_REC_LOST, sizeof(r));
		r.count = now - reported_drops[t];
		r.reason = FS_LOST_RINGBUF;
		r.rec_type = t;
		if (copy_to_user(buf + done, &r, sizeof(r)))
			return done ? done : -EFAULT;
		reported_drops[t] = now;
		done += sizeof(r);
	}
	return done;
}

static ssize_t read_records(char __user *buf, size_t count)
{
	ssize_t done = put_losses(buf, count);
	int cpu;

	if (done < 0)
		return done;
	while ((cpu = oldest_cpu()) >= 0) {
		struct ring_buffer_event *ev;
		unsigned int len;
		u64 ts;

		ev = ring_buffer_peek(fs_buffer, cpu, &ts, NULL);
		if (!ev)
			break;
		if (((struct fs_hdr *)ring_buffer_event_data(ev))->ts_ns < opened_at) {
			ring_buffer_consume(fs_buffer, cpu, &ts, NULL);
			continue;
		}
		len = ((struct fs_hdr *)ring_buffer_event_data(ev))->size;
		if (len > count - done)
			break;	/* whole records only */
		/* Not overwriting: the record stays put until consumed. */
		if (copy_to_user(buf + done, ring_buffer_event_data(ev), len))
			return done ? done : -EFAULT;
		ring_buffer_consume(fs_buffer, cpu, &ts, NULL);
		done += len;
	}
	if (!done && cpu >= 0)
		return -EINVAL;	/* the buffer cannot hold the next record */
	return done;
}

static ssize_t dev_read(struct file *file, char __user *buf, size_t count,
			loff_t *pos)
{
	ssize_t n;

	if (count < sizeof(struct fs_hdr))
		return -EINVAL;
	for (;;) {
		if (mutex_lock_interruptible(&read_lock))
			return -ERESTARTSYS;
		n = read_records(buf, count);
		mutex_unlock(&read_lock);
		if (n)
			return n;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(readers,
					     !ring_buffer_empty(fs_buffer)))
			return -ERESTARTSYS;
	}
}

static __poll_t dev_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &readers, wait);
	return ring_buffer_empty(fs_buffer) ? 0 : EPOLLIN | EPOLLRDNORM;
}

static long dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct fs_kmod_info info = {
		.abi = FS_ABI_VERSION,
		.cow_kind = fs_cow_kind(),
		.cow_copies = fs_cow_copies(),
		.exact_group_dead = FS_EXIT_HAS_GROUP_DEAD,
		.buffer_bytes = ring_buffer_size(fs_buffer, 0),
	};

	switch (cmd) {
	case FS_IOC_SNAPSHOT:
		fs_emit_snapshot(arg);
		return 0;
	case FS_IOC_COW_SAMPLE:
		if (!fs_cow_kind())
			return -EOPNOTSUPP;
		fs_emit_cow_sample();
		return 0;
	case FS_IOC_INFO:
		return copy_to_user((void __user *)arg, &info, sizeof(info)) ?
		       -EFAULT : 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations fops = {
	.owner = THIS_MODULE,
	.open = dev_open,
	.release = dev_release,
	.read = dev_read,
	.poll = dev_poll,
	.unlocked_ioctl = dev_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "forkscope",
	.fops = &fops,
	.mode = 0600,
};

int fs_device_register(void)
{
	timer_setup(&waker, wake_readers, 0);
	return misc_register(&dev);
}

void fs_device_unregister(void)
{
	misc_deregister(&dev);
}
