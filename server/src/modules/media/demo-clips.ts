/**
 * The demo community's clips (embedded first run only): who posted what, how it looks, and how
 * the others reacted. Each `look` is an ffmpeg lavfi graph drawn at most at 480×854 (often
 * smaller and scaled up, which is cheaper), so every clip is visibly different, renders in
 * about a second and transcodes quickly. `title` is drawn over the picture; `motion` says how.
 *
 * Order matters: the clips are rendered and transcoded in this order, so the first few are cheap
 * to draw and by different people — the feed has something to play within seconds of start.
 */
export interface DemoClip {
  author: string;
  caption: string;
  look: string;
  title: string;
  motion: 'float' | 'scroll' | 'pulse' | 'fall';
  /** A soft chord under the picture (Hz). */
  tones: number[];
  likedBy: string[];
  /** `[who, text]`; a third element answers the comment at that index of this list. */
  comments: Array<[string, string] | [string, string, number]>;
}

/** Scaled up from a small drawing, smooth or blocky. */
const up = (flags: 'bicubic' | 'neighbor' = 'bicubic') => `scale=480:854:flags=${flags}`;
const gradient = (colors: string[], type: string, speed: number) =>
  `gradients=s=120x214:${colors.map((c, i) => `c${i}=${c}`).join(':')}:nb_colors=${colors.length}:speed=${speed}:type=${type}:r=25,${up()}`;

export const DEMO_CLIPS: DemoClip[] = [
  {
    author: 'maya',
    caption: 'Golden hour on the wall 🧗 #climbing #sunset',
    look: gradient(['0xff7e5f', '0xfeb47b', '0x6a3093'], 'linear', 0.04),
    title: 'golden hour',
    motion: 'float',
    tones: [220, 277.18, 329.63],
    likedBy: ['leo', 'ines', 'noor', 'kai', 'zoe', 'ravi'],
    comments: [
      ['leo', 'That light though 🔥'],
      ['noor', 'Which crag is this?'],
      ['maya', 'Secret spot near Sintra, will take you!', 1],
    ],
  },
  {
    author: 'kai',
    caption: 'Game of Life, but make it neon #pixelart #generative',
    look: `life=s=96x170:rate=25:ratio=0.35:mold=12:life_color=0x39ff14:death_color=0x050505:mold_color=0x0b3d0b,${up('neighbor')}`,
    title: 'tiny worlds',
    motion: 'pulse',
    tones: [196, 246.94, 392],
    likedBy: ['sam', 'noor', 'ravi'],
    comments: [['sam', 'Could watch this all day']],
  },
  {
    author: 'leo',
    caption: 'Night ride through Alfama, more soon @maya #skate #lisbon',
    look: gradient(['0x0f2027', '0x2c5364', '0x00d2ff'], 'radial', 0.06),
    title: 'ALFAMA  ALFAMA  ALFAMA',
    motion: 'scroll',
    tones: [196, 246.94, 293.66],
    likedBy: ['maya', 'ines', 'ravi', 'sam'],
    comments: [
      ['maya', 'Waiting for part two!'],
      ['ravi', 'Those hills would end me'],
    ],
  },
  {
    author: 'zoe',
    caption: 'Colour bars at dawn (a film joke) #filmphotography',
    look: 'smptehdbars=s=480x854:r=25,hue=h=t*30',
    title: 'roll 36',
    motion: 'float',
    tones: [261.63, 311.13, 392],
    likedBy: ['ines', 'kai'],
    comments: [['kai', 'Engineer humour, I love it']],
  },
  {
    author: 'sam',
    caption: 'New loop, 90 bpm, headphones on 🎧 #beats',
    look: 'sine=f=110:b=4,showwaves=s=480x854:mode=cline:rate=25:colors=0xff6a88',
    title: '90 BPM',
    motion: 'pulse',
    tones: [130.81, 164.81, 196],
    likedBy: ['leo', 'kai', 'maya', 'zoe', 'noor'],
    comments: [
      ['kai', 'This slaps'],
      ['leo', 'Send me the stems 🙏'],
      ['sam', 'Check your DMs', 1],
    ],
  },
  {
    author: 'ines',
    caption: 'Glaze test #3, the blue finally worked #pottery',
    look: gradient(['0x43cea2', '0x185a9d', '0xe0eafc'], 'circular', 0.02),
    title: 'glaze test 3',
    motion: 'float',
    tones: [261.63, 329.63, 392],
    likedBy: ['maya', 'zoe', 'noor'],
    comments: [
      ['zoe', 'That blue is unreal'],
      ['maya', 'I need a mug in this colour'],
    ],
  },
  {
    author: 'ravi',
    caption: 'Sunday 10k, negative split 🏃 #running',
    look: "color=c=0x0a3d62:s=480x854:r=25,drawbox=x=40:y=560:w='max(1,(iw-80)*t/4)':h=24:color=0xff9f1c:t=fill",
    title: '10 K',
    motion: 'fall',
    tones: [293.66, 369.99, 440],
    likedBy: ['leo', 'kai'],
    comments: [['leo', 'Pace?'], ['ravi', '4:51 per km, last one 4:30', 0]],
  },
  {
    author: 'noor',
    caption: 'Long exposure from the roof last night ✨ #astro',
    look: "color=c=0x808080:s=160x284:r=25,noise=alls=100:allf=t,lutyuv=y='if(gt(val,222),255,0)':u=128:v=128,scale=480:854:flags=neighbor,gblur=sigma=0.8",
    title: 'clear skies',
    motion: 'float',
    tones: [174.61, 220, 261.63],
    likedBy: ['maya', 'zoe', 'ines', 'ravi'],
    comments: [['zoe', 'No light pollution at all?']],
  },
  {
    author: 'kai',
    caption: 'Rule 30 is my favourite random number generator #generative',
    look: `cellauto=s=160x284:rule=30:rate=25:pattern='1':scroll=1,lutrgb=r=val*0.3:g=val*0.8:b=val,${up('neighbor')}`,
    title: 'rule 30',
    motion: 'scroll',
    tones: [220, 261.63, 329.63],
    likedBy: ['noor', 'sam'],
    comments: [['noor', 'Wolfram would be proud']],
  },
  {
    author: 'maya',
    caption: 'Morning pour-over, slow and steady ☕ #coffee',
    look: gradient(['0x3b2416', '0xc69c6d', '0xf3e5ab'], 'radial', 0.03),
    title: 'pour over',
    motion: 'fall',
    tones: [246.94, 311.13, 369.99],
    likedBy: ['ines', 'leo', 'noor'],
    comments: [['ines', 'Which beans?'], ['maya', 'Ethiopian, from the market', 0]],
  },
  {
    author: 'leo',
    caption: 'Bifana stand at 1am, worth every cent #streetfood #lisbon',
    look: 'color=c=0xd35400:s=160x284:r=25,noise=alls=30:allf=t+u,scale=480:854,vignette=PI/4',
    title: '1 AM',
    motion: 'pulse',
    tones: [220, 293.66, 349.23],
    likedBy: ['maya', 'ines', 'sam', 'ravi', 'zoe'],
    comments: [
      ['ines', 'The one by the tram stop? Best in town'],
      ['sam', 'Now I am hungry'],
    ],
  },
  {
    author: 'zoe',
    caption: 'Grading a roll of Portra 400 #colour #35mm',
    look: 'colorspectrum=s=240x426:type=all:r=25,hue=h=t*40,scale=480:854',
    title: 'portra 400',
    motion: 'float',
    tones: [196, 261.63, 311.13],
    likedBy: ['noor', 'ines', 'maya'],
    comments: [['noor', 'Teach me your ways']],
  },
  {
    author: 'sam',
    caption: 'Two sines having a conversation #beats #producer',
    look: "aevalsrc='sin(2*PI*220*t)|sin(2*PI*331*t)':s=22050,avectorscope=s=480x854:r=25:draw=line:zoom=1.5:rc=255:gc=100:bc=200",
    title: 'lissajous',
    motion: 'float',
    tones: [220, 330],
    likedBy: ['kai', 'noor'],
    comments: [['kai', 'Oscilloscope music is so underrated']],
  },
  {
    author: 'ines',
    caption: 'Monstera got a new leaf 🌿 #plants',
    look: `life=s=72x128:rate=25:ratio=0.5:mold=20:life_color=0x7bd389:death_color=0x1b4332:mold_color=0x2d6a4f,${up('neighbor')}`,
    title: 'leaf no. 7',
    motion: 'float',
    tones: [261.63, 349.23, 440],
    likedBy: ['maya', 'leo', 'zoe', 'noor'],
    comments: [['leo', 'Plant mum of the year']],
  },
  {
    author: 'noor',
    caption: 'Zooming into the Mandelbrot set, forever #maths #generative',
    look: `mandelbrot=s=120x214:rate=25:maxiter=120:start_scale=3:end_scale=0.6:end_pts=40,${up()}`,
    title: 'zoom',
    motion: 'pulse',
    tones: [164.81, 207.65, 246.94],
    likedBy: ['kai', 'sam', 'ravi', 'maya'],
    comments: [
      ['kai', 'Infinite detail, finite patience'],
      ['ravi', 'How long did this take to render?'],
      ['noor', 'About a second 😅', 1],
    ],
  },
  {
    author: 'ravi',
    caption: 'Cadence drills at the track #running',
    look: 'testsrc2=s=480x854:r=25,hue=s=0.4',
    title: '180 spm',
    motion: 'scroll',
    tones: [293.66, 440, 587.33],
    likedBy: ['kai'],
    comments: [],
  },
  {
    author: 'zoe',
    caption: 'Light leak study #35mm',
    look: `gradients=s=120x214:c0=0xff2a00:c1=0xffb300:c2=0x300000:nb_colors=3:speed=0.08:type=radial:r=25,format=yuv420p,noise=alls=5:allf=t,${up()},vignette`,
    title: 'leak',
    motion: 'float',
    tones: [233.08, 293.66, 349.23],
    likedBy: ['maya', 'noor'],
    comments: [['maya', 'Looks like a memory']],
  },
  {
    author: 'kai',
    caption: 'Calibrating my CRT, the old way #retro',
    look: `rgbtestsrc=s=160x284:r=25,noise=alls=25:allf=t,${up('neighbor')},rotate=a=0.04*sin(t*6):fillcolor=black`,
    title: 'PLEASE STAND BY',
    motion: 'pulse',
    tones: [220, 440],
    likedBy: ['zoe', 'sam', 'ravi'],
    comments: [['zoe', 'I can hear the whine from here']],
  },
  {
    author: 'maya',
    caption: 'Route setting night: the pink one is V5 #climbing',
    look: `cellauto=s=160x284:rule=90:rate=25:pattern='1':scroll=1,lutrgb=r=val:g=val*0.4:b=val*0.7,${up('neighbor')}`,
    title: 'V5',
    motion: 'fall',
    tones: [261.63, 329.63, 415.3],
    likedBy: ['leo', 'ines', 'noor', 'ravi'],
    comments: [['leo', 'Saturday. You and me.'], ['maya', 'Deal 🤝', 0]],
  },
  {
    author: 'noor',
    caption: 'Sierpinski carpet, one square at a time #maths',
    look: 'sierpinski=s=240x426:type=carpet:rate=25,lutrgb=r=val*0.25:g=val*0.8:b=val,scale=480:854',
    title: 'self similar',
    motion: 'float',
    tones: [196, 293.66, 392],
    likedBy: ['kai', 'zoe'],
    comments: [],
  },
  {
    author: 'leo',
    caption: 'Kickflip attempt #47 (it did not go well) #skate',
    look: `cellauto=s=120x214:rule=110:rate=25:random_fill_ratio=0.4:scroll=1,lutrgb=r=val:g=val*0.6:b=val*0.1,${up('neighbor')}`,
    title: 'attempt 47',
    motion: 'fall',
    tones: [174.61, 220, 277.18],
    likedBy: ['maya', 'sam', 'kai', 'ravi', 'ines', 'zoe', 'noor'],
    comments: [
      ['sam', 'Attempt 48 is the one'],
      ['ravi', 'Are your knees okay?'],
      ['leo', 'Define okay', 1],
      ['maya', '😂😂'],
    ],
  },
  {
    author: 'ines',
    caption: 'Eight hours of bean stew, no regrets #slowcooking',
    look: gradient(['0x5c3317', '0xc0642f', '0xf4a259'], 'spiral', 0.02),
    title: '8 hours',
    motion: 'float',
    tones: [196, 246.94, 293.66],
    likedBy: ['maya', 'leo'],
    comments: [['maya', 'Save me a bowl!']],
  },
  {
    author: 'sam',
    caption: 'Pixels dancing to a chord #generative',
    look: `life=s=120x214:rate=25:ratio=0.2:mold=10:life_color=0xff66cc:death_color=0x1a1a40:mold_color=0x4040a0,${up('neighbor')}`,
    title: 'chord in F',
    motion: 'scroll',
    tones: [174.61, 220, 261.63],
    likedBy: ['kai', 'zoe', 'leo'],
    comments: [],
  },
  {
    author: 'ravi',
    caption: 'Mapped every ride this year: 4,200 km #cycling #data',
    look: 'anoisesrc=c=pink:r=22050,showfreqs=s=480x854:mode=bar:colors=0x2ec4b6:rate=25',
    title: '4200 km',
    motion: 'pulse',
    tones: [261.63, 392, 523.25],
    likedBy: ['leo', 'kai', 'noor'],
    comments: [['kai', 'Spreadsheet or it did not happen'], ['ravi', 'Three spreadsheets', 0]],
  },
];
